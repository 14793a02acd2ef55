"""A BERT-style WordPiece tokenizer trained from scratch on a list of sentences.

Explained in chapter "Pre-training a tiny BERT from scratch" (book/04_practice/tiny_bert).

:func:`train_wordpiece` builds the pipeline of BERT's uncased tokenizer with Hugging Face
``tokenizers``: lower-casing and accent stripping, splitting on white space and punctuation,
WordPiece sub-words (continuations written ``##piece``) and ``[CLS] ... [SEP]`` around every
sentence. It returns a ``transformers`` fast tokenizer, so that ``tokenizer(sentences)``,
``convert_ids_to_tokens`` and ``decode`` work as for a downloaded BERT tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from tokenizers.trainers import WordPieceTrainer
from transformers import PreTrainedTokenizerFast

__all__ = ["SPECIAL_TOKENS", "train_wordpiece"]

#: BERT's special tokens; they take the ids 0 to 4 in this order.
SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def train_wordpiece(
    sentences: Sequence[str], vocab_size: int, *, min_frequency: int = 2
) -> PreTrainedTokenizerFast:
    """Train an uncased WordPiece vocabulary on ``sentences`` and wrap it as a BERT tokenizer.

    Parameters
    ----------
    sentences : sequence of str
        The training text, one sentence per item; nothing else is read.
    vocab_size : int
        Size of the vocabulary, special tokens and single characters included; at least
        ``len(SPECIAL_TOKENS) + 1``. The result is smaller when no pair of pieces is left
        that occurs ``min_frequency`` times, and larger when the special tokens, the
        characters and their ``##`` continuations alone outnumber ``vocab_size``.
    min_frequency : int
        A pair of pieces must occur at least this often to be merged, >= 1.

    Returns
    -------
    transformers.PreTrainedTokenizerFast
        Adds ``[CLS]`` and ``[SEP]`` around each sentence; pads with ``[PAD]`` (id 0);
        ``mask_token`` is ``[MASK]``. Training is deterministic: the same sentences give the
        same vocabulary, in the same order (special tokens, then the pieces sorted).

    Raises
    ------
    TypeError
        If ``sentences`` is an iterator or generator (it would be used up by the first of the
        two passes over the text): pass a list; or if it has no length (not a sequence).
    ValueError
        If ``sentences`` is empty or not a sequence of strings, or ``vocab_size`` or
        ``min_frequency`` is out of range (below the minimum or above 2**32).

    References
    ----------
    .. [1] Wu et al., "Google's Neural Machine Translation System", arXiv:1609.08144, 2016
       (WordPiece); Devlin et al., "BERT", NAACL 2019, section 3.

    Examples
    --------
    >>> tok = train_wordpiece(["profit rose", "profits fell", "sales rose"] * 5, vocab_size=35)
    >>> tok.convert_ids_to_tokens(tok("Profits rose")["input_ids"])
    ['[CLS]', 'profit', '##s', 'rose', '[SEP]']
    """
    if isinstance(sentences, Iterator):
        raise TypeError(
            f"sentences must be a sequence such as a list, not a one-pass "
            f"{type(sentences).__name__}: pass list(sentences)"
        )
    try:
        n_sentences = len(sentences)
    except TypeError:
        raise TypeError(
            f"sentences must be a sequence of strings such as a list "
            f"(got {type(sentences).__name__}: {sentences!r})"
        ) from None
    if (
        isinstance(sentences, str)
        or n_sentences == 0
        or not all(isinstance(s, str) for s in sentences)
    ):
        raise ValueError("sentences must be a non-empty sequence of strings")
    smallest, largest = len(SPECIAL_TOKENS) + 1, 2**32
    if (
        isinstance(vocab_size, bool)
        or not isinstance(vocab_size, int)
        or not smallest <= vocab_size <= largest
    ):
        raise ValueError(
            f"vocab_size must be an int >= {smallest} and <= 2**32 (got vocab_size={vocab_size!r})"
        )
    if (
        isinstance(min_frequency, bool)
        or not isinstance(min_frequency, int)
        or not 1 <= min_frequency <= largest
    ):
        raise ValueError(
            f"min_frequency must be an int >= 1 and <= 2**32 (got min_frequency={min_frequency!r})"
        )
    # Work-around for tokenizers issue #1794: the trainer numbers the continuation pieces
    # ("##e") in hash-map order and breaks ties between equally frequent merges by those
    # numbers, so two runs can learn different vocabularies. Declaring every continuation
    # piece up front fixes their numbers, and with them the merges.
    draft = _pipeline(models.WordPiece(unk_token="[UNK]"))
    continuations = sorted(
        {
            "##" + char
            for sentence in sentences
            for word, _ in draft.pre_tokenizer.pre_tokenize_str(
                draft.normalizer.normalize_str(sentence)
            )
            for char in word[1:]
        }
    )
    trainer = WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=[*SPECIAL_TOKENS, *continuations],
        show_progress=False,
    )
    draft.train_from_iterator(list(sentences), trainer=trainer)
    # A fresh tokenizer with the learnt pieces: special tokens first, then in sorted order,
    # and only the five real special tokens marked as special.
    pieces = sorted(set(draft.get_vocab()) - set(SPECIAL_TOKENS))
    vocab = {token: i for i, token in enumerate([*SPECIAL_TOKENS, *pieces])}
    core = _pipeline(models.WordPiece(vocab=vocab, unk_token="[UNK]"))
    core.add_special_tokens(list(SPECIAL_TOKENS))
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    core.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def _pipeline(model: models.WordPiece) -> Tokenizer:
    """BERT's uncased text pipeline around a WordPiece model."""
    core = Tokenizer(model)
    core.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    core.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return core
