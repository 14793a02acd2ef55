"""companion.nlp.wordpiece: a deterministic BERT-style WordPiece tokenizer trained on sentences."""

from __future__ import annotations

import pytest

from companion.nlp.wordpiece import SPECIAL_TOKENS, train_wordpiece

CORPUS = [
    "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn.",
    "Net sales decreased by 5 % in the third quarter.",
    "The company's profits increased, the CEO said.",
    "Sales of the Finnish group rose sharply in 2008.",
    "Operating profits fell as costs increased.",
] * 4


def test_training_is_deterministic_and_special_tokens_come_first():
    # tokenizers' own trainer numbers pieces in hash-map order (issue #1794); ours must not
    vocabularies = [train_wordpiece(CORPUS, 120).get_vocab() for _ in range(5)]
    assert all(v == vocabularies[0] for v in vocabularies)
    tok = train_wordpiece(CORPUS, 120)
    assert tok.convert_ids_to_tokens(list(range(len(SPECIAL_TOKENS)))) == list(SPECIAL_TOKENS)
    assert (tok.pad_token_id, tok.mask_token_id) == (0, 4)
    assert sorted(tok.all_special_ids) == [0, 1, 2, 3, 4]


def test_sentences_are_wrapped_lower_cased_and_spelt_without_unknowns():
    tok = train_wordpiece(CORPUS, 120)
    tokens = tok.convert_ids_to_tokens(tok("PROFITS Rose")["input_ids"])
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    assert all(t == t.lower() for t in tokens[1:-1])
    assert "[UNK]" not in tokens
    unseen_word = tok.convert_ids_to_tokens(tok("rosters")["input_ids"])[1:-1]
    assert len(unseen_word) > 1 and all(t.startswith("##") for t in unseen_word[1:])
    assert tok.decode(tok("Operating profit rose")["input_ids"], skip_special_tokens=True) == (
        "operating profit rose"
    )


def test_larger_vocabulary_gives_fewer_tokens():
    text = " ".join(CORPUS[:5])
    sizes = [len(train_wordpiece(CORPUS, v)(text)["input_ids"]) for v in (60, 90, 150)]
    assert sizes[0] >= sizes[1] >= sizes[2]
    assert len(train_wordpiece(CORPUS, 90)) <= 90


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sentences": [], "vocab_size": 50}, "sentences must be a non-empty sequence"),
        ({"sentences": "profit rose", "vocab_size": 50}, "sentences must be a non-empty"),
        ({"sentences": ["a", 3], "vocab_size": 50}, "sentences must be a non-empty"),
        ({"sentences": CORPUS, "vocab_size": 5}, r"vocab_size must be an int >= 6"),
        ({"sentences": CORPUS, "vocab_size": 50.0}, "vocab_size must be an int"),
        ({"sentences": CORPUS, "vocab_size": 50, "min_frequency": 0}, "min_frequency must be"),
    ],
)
def test_bad_input_raises_a_clear_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_wordpiece(**kwargs)
