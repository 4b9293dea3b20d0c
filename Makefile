# Shortcuts for the scripts in scripts/ (the README's two commands need no make).
.PHONY: run test dist smoke install
run:
	scripts/run
test:
	scripts/test
dist:
	scripts/setup.sh && scripts/build
smoke:
	scripts/setup.sh && python3 scripts/smoke_bundle
install: dist
	scripts/install_desktop
