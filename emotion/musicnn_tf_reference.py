"""Reference outputs of the ORIGINAL musicnn (TensorFlow) for checking the torch port (development only).

Run with a throwaway interpreter that has TensorFlow 2.x (never the app's venv), e.g.

    python3.11 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu==2.15.1 "numpy<2" librosa==0.11.0
    /tmp/tfvenv/bin/python emotion/musicnn_tf_reference.py --musicnn-dir /tmp/mnn/pkg \
        --audio ../shared/data/emotify/audio/rock_1.ogg --out /tmp/ref.npz

It builds the MSD_musicnn graph with the package's own `models.define_model`, restores the checkpoint and saves,
for the float16-rounded log-mel patches of the audio file (computed with the package's own `batch_data`) plus
one fixed random patch: the input patches, taggram, logits, penultimate, mean_pool and max_pool.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--musicnn-dir", type=Path, required=True, help="folder holding the musicnn package")
    ap.add_argument("--audio", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--patches", type=int, default=4)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.musicnn_dir))
    import tensorflow as tf
    from musicnn import configuration as config
    from musicnn import extractor, models

    batch, spec = extractor.batch_data(str(args.audio), 187, 187)
    batch = batch[: args.patches].astype(np.float32)
    rnd = np.random.default_rng(0).uniform(0, 3, size=(1, 187, 96)).astype(np.float16).astype(np.float32)
    x_in = np.concatenate([batch, rnd])
    tf.compat.v1.reset_default_graph()
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, 187, config.N_MELS])
        is_training = tf.compat.v1.placeholder(tf.bool)
        y, timbral, temporal, cnn1, cnn2, cnn3, mean_pool, max_pool, pen = models.define_model(
            x, is_training, "MSD_musicnn", 50)
    sess = tf.compat.v1.Session()
    sess.run(tf.compat.v1.global_variables_initializer())
    tf.compat.v1.train.Saver().restore(sess, str(args.musicnn_dir / "musicnn" / "MSD_musicnn") + "/")
    logits, pen_, mean_, max_ = sess.run([y, pen, mean_pool, max_pool], feed_dict={x: x_in, is_training: False})
    np.savez(args.out, x=x_in, logits=logits, taggram=1 / (1 + np.exp(-logits)), penultimate=pen_,
             mean_pool=mean_, max_pool=max_, full_logmel=spec.astype(np.float32))
    print(f"saved {args.out}: {x_in.shape[0]} patches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
