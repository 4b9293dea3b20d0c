"""musicnn (Pons & Serra, MTG-UPF, ISC licence) MSD_musicnn and MTT_musicnn ported to torch, plus their log-mel
front end.

The network is the one of `musicnn.models.build_musicnn(num_filt_midend=64, num_units_backend=200)` as used for
the MSD_musicnn checkpoint (Million Song Dataset, 50 tags) and the MTT_musicnn checkpoint (MagnaTagATune, 50 tags;
same architecture and input) of the `musicnn==0.1.0` package, in inference mode (batch norm with moving statistics,
no dropout). Input: log-mel patches of 187 frames x 96 mels of 16 kHz audio (STFT 512, hop 256, Slaney mel,
`log10(10000 * mel + 1)` on float16-rounded power, exactly as `musicnn.extractor.batch_data` does with librosa).

Outputs per patch: `taggram` (sigmoid of the 50 MSD tags), `logits`, `penultimate` (the 200-unit batch-normed
dense layer musicnn calls "penultimate"), `mean_pool` / `max_pool` (753 each, over time).

The weights are converted once from the TF1 checkpoint by `python -m emotion.musicnn convert` (reads the tensor
bundle directly: no TensorFlow) and shipped in the audio model's weights file; at run time only torch and numpy
are needed. The mel filter bank (computed with librosa at conversion time) ships with the weights too.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np

SR = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
PATCH_FRAMES = 187  # librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1
PATCH_SAMPLES = (PATCH_FRAMES - 1) * HOP  # audio samples spanned by one patch (centred frames)
BN_EPS = 1e-3  # tf.layers.batch_normalization default

MSD_LABELS = ['rock', 'pop', 'alternative', 'indie', 'electronic', 'female vocalists', 'dance', '00s',
              'alternative rock', 'jazz', 'beautiful', 'metal', 'chillout', 'male vocalists', 'classic rock', 'soul',
              'indie rock', 'Mellow', 'electronica', '80s', 'folk', '90s', 'chill', 'instrumental', 'punk', 'oldies',
              'blues', 'hard rock', 'ambient', 'acoustic', 'experimental', 'female vocalist', 'guitar', 'Hip-Hop',
              '70s', 'party', 'country', 'easy listening', 'sexy', 'catchy', 'funk', 'electro', 'heavy metal',
              'Progressive rock', '60s', 'rnb', 'indie pop', 'sad', 'House', 'happy']

MTT_LABELS = ['guitar', 'classical', 'slow', 'techno', 'strings', 'drums', 'electronic', 'rock', 'fast', 'piano',
              'ambient', 'beat', 'violin', 'vocal', 'synth', 'female', 'indian', 'opera', 'male', 'singing', 'vocals',
              'no vocals', 'harpsichord', 'loud', 'quiet', 'flute', 'woman', 'male vocal', 'no vocal', 'pop', 'soft',
              'sitar', 'solo', 'man', 'classic', 'choir', 'voice', 'new age', 'dance', 'male voice', 'female vocal',
              'beats', 'harp', 'cello', 'no voice', 'weird', 'country', 'metal', 'female voice', 'choral']

# --- TF1 checkpoint (tensor bundle) reader, no TensorFlow -----------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, pos
        shift += 7


def _block_entries(buf: bytes) -> list[tuple[bytes, bytes]]:
    """Key/value pairs of one (uncompressed) LevelDB-format table block."""
    n_restarts = struct.unpack_from("<I", buf, len(buf) - 4)[0]
    end = len(buf) - 4 - 4 * n_restarts
    pos, key, out = 0, b"", []
    while pos < end:
        shared, pos = _varint(buf, pos)
        non_shared, pos = _varint(buf, pos)
        vlen, pos = _varint(buf, pos)
        key = key[:shared] + buf[pos:pos + non_shared]
        pos += non_shared
        out.append((key, buf[pos:pos + vlen]))
        pos += vlen
    return out


def _read_block(data: bytes, handle: bytes) -> bytes:
    off, p = _varint(handle, 0)
    size, _ = _varint(handle, p)
    if data[off + size] != 0:
        raise ValueError("compressed checkpoint index blocks are not supported")
    return data[off:off + size]


def _proto_fields(buf: bytes) -> list[tuple[int, int, object]]:
    """(field number, wire type, value) of a serialised protobuf message (varint and length-delimited only)."""
    pos, out = 0, []
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        elif wt == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wt}")
        out.append((num, wt, val))
    return out


def read_tf_checkpoint(prefix: Path | str) -> dict[str, np.ndarray]:
    """All float32 tensors of a TF checkpoint `<prefix>.index` + `<prefix>.data-00000-of-00001`.

    The index is an SSTable of BundleEntryProto records (dtype=1, shape=2, shard_id=3, offset=4, size=5).
    """
    prefix = str(prefix)
    index = Path(prefix + ".index").read_bytes()
    data = Path(prefix + ".data-00000-of-00001").read_bytes()
    footer = index[-48:]
    if struct.unpack("<Q", footer[-8:])[0] != 0xDB4775248B80FB57:
        raise ValueError("not a TF tensor-bundle index (bad magic)")
    _, p = _varint(footer, 0)
    _, p = _varint(footer, p)  # metaindex handle (unused)
    index_handle = footer[p:]
    tensors: dict[str, np.ndarray] = {}
    for _, handle in _block_entries(_read_block(index, index_handle)):
        for key, val in _block_entries(_read_block(index, handle)):
            if not key:
                continue  # the bundle header
            dtype, shape, offset, size, shard = 0, [], 0, 0, 0
            for num, _wt, v in _proto_fields(val):
                if num == 1:
                    dtype = int(v)  # type: ignore[arg-type]
                elif num == 2:
                    for dnum, _dwt, dv in _proto_fields(v):  # type: ignore[arg-type]
                        if dnum == 2:
                            dims = dict((n, x) for n, _w, x in _proto_fields(dv))  # type: ignore[arg-type]
                            shape.append(int(dims.get(1, 0)))
                elif num == 3:
                    shard = int(v)  # type: ignore[arg-type]
                elif num == 4:
                    offset = int(v)  # type: ignore[arg-type]
                elif num == 5:
                    size = int(v)  # type: ignore[arg-type]
            if dtype != 1 or shard != 0:
                continue  # not DT_FLOAT (e.g. the global step) or another shard
            arr = np.frombuffer(data, dtype="<f4", count=size // 4, offset=offset).reshape(shape)
            tensors[key.decode()] = arr.copy()
    return tensors


# --- the network ------------------------------------------------------------------------------------------------


def _tf_name(base: str, i: int) -> str:
    return base if i == 0 else f"{base}_{i}"


def convert_state_dict(ckpt: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map the TF variable names of MSD_musicnn (creation order) to this module's state dict (numpy)."""
    out: dict[str, np.ndarray] = {}

    def bn(name: str, i: int) -> None:
        b = _tf_name("batch_normalization", i)
        out[f"{name}.weight"] = ckpt[f"{b}/gamma"]
        out[f"{name}.bias"] = ckpt[f"{b}/beta"]
        out[f"{name}.running_mean"] = ckpt[f"{b}/moving_mean"]
        out[f"{name}.running_var"] = ckpt[f"{b}/moving_variance"]

    def conv(name: str, i: int, one_d: bool = False) -> None:
        c = _tf_name("conv2d", i)
        k = ckpt[f"{c}/kernel"]  # kh x kw x in x out
        # 2-D: HWIO -> OIHW; mid-end: a kh x C "image" with one channel is a 1-D conv over time with C channels
        w = k[:, :, 0, :].transpose(2, 1, 0) if one_d else k.transpose(3, 2, 0, 1)
        out[f"{name}.weight"] = np.ascontiguousarray(w)
        out[f"{name}.bias"] = ckpt[f"{c}/bias"]

    def dense(name: str, i: int) -> None:
        d = _tf_name("dense", i)
        out[f"{name}.weight"] = np.ascontiguousarray(ckpt[f"{d}/kernel"].T)
        out[f"{name}.bias"] = ckpt[f"{d}/bias"]

    bn("bn_in", 0)
    for k, name in enumerate(("f74", "f77", "s1", "s2", "s3")):
        conv(f"{name}.conv", k)
        bn(f"{name}.bn", k + 1)
    for k, name in enumerate(("mid1", "mid2", "mid3")):
        conv(f"{name}.conv", 5 + k, one_d=True)
        bn(f"{name}.bn", 6 + k)
    bn("bn_flat", 9)
    dense("dense", 0)
    bn("bn_dense", 10)
    dense("out", 1)
    return out


def build_musicnn():
    """The torch module (torch imported here, not at module import)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Block(nn.Module):
        """conv (+ReLU) -> batch norm -> max over the frequency axis."""

        def __init__(self, cout: int, kh: int, kw: int, cin: int = 1, pad_t: tuple[int, int] = (0, 0)) -> None:
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, (kh, kw))
            self.bn = nn.BatchNorm2d(cout, eps=BN_EPS)
            self.pad_t = pad_t

        def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: B x C x T x F
            if self.pad_t != (0, 0):
                x = F.pad(x, (0, 0, self.pad_t[0], self.pad_t[1]))
            # max_F bn(relu(z)) computed as bn(relu(extreme_F z)): ReLU and each channel's batch-norm map are
            # monotonic (increasing where the channel's scale is positive, decreasing where it is negative), and
            # so is their float rounding, so the result is the same to the bit; the big B x C x T x F tensor then
            # goes through one reduction instead of ReLU, batch norm and the reduction (a third less time). The
            # extreme is the max where the scale is positive and the min elsewhere: the conv is run with those
            # channels' weights negated (exact in floating point) so one amax serves both.
            bn = self.bn
            sign = torch.where(bn.weight >= 0, 1.0, -1.0)
            z = F.conv2d(x, self.conv.weight * sign.view(-1, 1, 1, 1), self.conv.bias * sign)
            ext = z.amax(dim=3) * sign.view(1, -1, 1)  # B x C x T
            return F.batch_norm(F.relu(ext), bn.running_mean, bn.running_var, bn.weight, bn.bias,
                                False, 0.0, bn.eps)

    class MidBlock(nn.Module):
        def __init__(self, cin: int, cout: int = 64) -> None:
            super().__init__()
            self.conv = nn.Conv1d(cin, cout, 7, padding=3)
            self.bn = nn.BatchNorm1d(cout, eps=BN_EPS)

        def forward(self, x: torch.Tensor) -> torch.Tensor:  # B x C x T
            return self.bn(F.relu(self.conv(x)))

    class MusiCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bn_in = nn.BatchNorm2d(1, eps=BN_EPS)
            y = N_MELS
            self.f74 = Block(204, 7, int(0.4 * y))
            self.f77 = Block(204, 7, int(0.7 * y))
            # TF 'same' padding of an even kernel k along time: (k-1)//2 before, k//2 after
            self.s1 = Block(51, 128, 1, pad_t=(63, 64))
            self.s2 = Block(51, 64, 1, pad_t=(31, 32))
            self.s3 = Block(51, 32, 1, pad_t=(15, 16))
            self.mid1 = MidBlock(561)
            self.mid2 = MidBlock(64)
            self.mid3 = MidBlock(64)
            self.bn_flat = nn.BatchNorm1d(2 * 753, eps=BN_EPS)
            self.dense = nn.Linear(2 * 753, 200)
            self.bn_dense = nn.BatchNorm1d(200, eps=BN_EPS)
            self.out = nn.Linear(200, len(MSD_LABELS))

        def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
            """x: B x 187 x 96 log-mel patches (time x mel, as musicnn batches them)."""
            x = self.bn_in(x.unsqueeze(1))  # B x 1 x T x F
            xp = F.pad(x, (0, 0, 3, 3))
            front = torch.cat([self.f74(xp), self.f77(xp), self.s1(x), self.s2(x), self.s3(x)], dim=1)  # B x 561 x T
            c1 = self.mid1(front)
            c2 = self.mid2(c1) + c1
            c3 = self.mid3(c2) + c2
            feats = torch.cat([front, c1, c2, c3], dim=1)  # B x 753 x T
            mx = feats.amax(dim=2)
            mean = feats.mean(dim=2)
            flat = torch.stack([mx, mean], dim=2).flatten(1)  # TF flattens [753, 2]: max/mean interleaved
            pen = self.bn_dense(F.relu(self.dense(self.bn_flat(flat))))
            logits = self.out(pen)
            return {"logits": logits, "taggram": torch.sigmoid(logits), "penultimate": pen, "mean_pool": mean,
                    "max_pool": mx}

    return MusiCNN()


# --- log-mel front end (musicnn.extractor.batch_data without librosa at run time) -------------------------------------


def librosa_mel_filterbank() -> np.ndarray:
    """The 96 x 257 Slaney mel filter bank librosa uses in musicnn (computed with librosa; conversion time only)."""
    import librosa

    return librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)


def _hann_periodic(n: int) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)).astype(np.float32)


def log_mel(y: np.ndarray, mel_fb: np.ndarray) -> np.ndarray:
    """T x 96 musicnn log-mel of mono 16 kHz audio (librosa.feature.melspectrogram defaults: centred frames,
    zero padding, periodic Hann, power 2; then float16 rounding and log10(10000 x + 1), as musicnn does)."""
    from scipy import fft as sfft

    y = np.asarray(y, dtype=np.float32)
    pad = N_FFT // 2
    yp = np.pad(y, (pad, pad), mode="constant")
    if len(yp) < N_FFT:
        yp = np.pad(yp, (0, N_FFT - len(yp)))
    frames = np.lib.stride_tricks.sliding_window_view(yp, N_FFT)[::HOP]
    spec = sfft.rfft(frames * _hann_periodic(N_FFT), axis=1)
    power = spec.real.astype(np.float32) ** 2 + spec.imag.astype(np.float32) ** 2  # T x 257
    mel = power @ mel_fb.T  # T x 96
    mel = mel.astype(np.float16).astype(np.float32)
    return np.log10(10000.0 * mel + 1.0).astype(np.float32)


def patches(logmel: np.ndarray, n: int | None = None) -> np.ndarray:
    """Non-overlapping 187-frame patches (as musicnn's extractor with input_overlap=False), at most n of them,
    taken from the start; a log-mel shorter than one patch is zero-padded (silence) to one patch."""
    T = logmel.shape[0]
    if T < PATCH_FRAMES:
        return np.pad(logmel, ((0, PATCH_FRAMES - T), (0, 0)))[None]
    starts = list(range(0, T - PATCH_FRAMES + 1, PATCH_FRAMES))
    if n is not None:
        starts = starts[:n]
    return np.stack([logmel[s:s + PATCH_FRAMES] for s in starts])


# --- conversion CLI -------------------------------------------------------------------------------------------


def find_checkpoint(explicit: Path | str | None = None, model: str = "MSD_musicnn") -> str:
    """The checkpoint prefix of `model` (MSD_musicnn or MTT_musicnn): explicit, or inside an installed musicnn
    package."""
    if explicit is not None:
        return str(explicit)
    try:
        import importlib.util

        spec = importlib.util.find_spec("musicnn")
        if spec is not None and spec.origin:
            return str(Path(spec.origin).parent / model) + "/"  # files are named ".index", ".data-..."
    except Exception:
        pass
    raise FileNotFoundError("musicnn package not found: pip install --no-deps musicnn==0.1.0, or pass --checkpoint")


MTT_KEY = "musicnn_mtt"  # key prefix of the MTT_musicnn network in a tensors file ("musicnn" is MSD_musicnn)


def converted_tensors(prefix: Path | str, key: str = "musicnn") -> dict[str, np.ndarray]:
    """The converted network (keys prefixed `key` + '.') plus the mel filter bank ('musicnn_mel_fb')."""
    ckpt = read_tf_checkpoint(prefix)
    sd = {f"{key}.{k}": v.astype(np.float32) for k, v in convert_state_dict(ckpt).items()}
    sd["musicnn_mel_fb"] = librosa_mel_filterbank()
    return sd


def has_network(tensors: dict, key: str) -> bool:
    return any(k.startswith(key + ".") for k in tensors)


def load_prefixed(net, tensors: dict, key: str):
    """`net` (a torch module) in eval mode with its state from the `key` + '.'-prefixed tensors / arrays (the
    batch-norm counters, which the checkpoints do not carry, are kept)."""
    import torch

    pre = key + "."
    sd = {k[len(pre):]: torch.as_tensor(np.asarray(v)) for k, v in tensors.items() if k.startswith(pre)}
    own = net.state_dict()
    for k in own:
        if k.endswith("num_batches_tracked"):
            sd[k] = own[k]
    net.load_state_dict(sd)
    net.eval()
    return net


def load_from_tensors(tensors: dict, key: str = "musicnn"):
    """A MusiCNN (eval mode) from a dict of tensors / arrays with `key` + '.'-prefixed keys."""
    return load_prefixed(build_musicnn(), tensors, key)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="emotion.musicnn", description="convert MSD_musicnn to safetensors")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert", help="TF1 checkpoint -> safetensors (network + mel filter bank)")
    c.add_argument("--checkpoint", default=None, help="checkpoint prefix, e.g. .../musicnn/MSD_musicnn/")
    c.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    from safetensors.numpy import save_file

    prefix = find_checkpoint(args.checkpoint)
    tensors = converted_tensors(prefix)
    save_file(tensors, str(args.out))
    print(json.dumps({"out": str(args.out), "tensors": len(tensors),
                      "params": int(sum(v.size for v in tensors.values()))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
