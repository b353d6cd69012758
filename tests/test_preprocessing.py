"""TextPreprocessor (real spaCy pipelines) and Vocabulary."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from job2vec import TextPreprocessor, Vocabulary, normalize_title


def test_english_lemmas_stop_words_and_case():
    tokens = TextPreprocessor().fit_transform(["The Engineers were running Analyses on our systems."])
    assert tokens == [["engineer", "run", "analysis", "system"]]


def test_french_lookup_lemmatizer():
    tokens = TextPreprocessor(language="fr").fit_transform(["Les ingénieurs développent des applications"])
    assert tokens == [["ingénieur", "développer", "application"]]


def test_urls_emails_and_phones_are_scrubbed():
    text = "Apply at https://jobs.example.com/apply?id=3 or hr.team@example.co.uk, call +1 (555) 123-4567 nurse"
    assert TextPreprocessor().fit_transform([text]) == [["apply", "nurse"]]


# The plain forms of the scrubbing patterns, which job2vec.preprocessing writes to start with a
# character set (faster to scan for): both must take the same matches from any text.
_PLAIN_URL = r"(?i:https?://|www\.)\S+"
_PLAIN_PHONE = r"(?:\+(?<!\w\+)\d|\d(?<!\w\d))[\d ().-]{6,}\d(?!\w)"
_SCRUB_PIECES = st.sampled_from(list("0123456789+ ().-/:@aHhTtPpSsWwx\u017f\u212a_é\n")
                                 + ["http", "HTTPS://", "htTP\u017f://", "www.", "wWw.", "+44 ", "555-"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_SCRUB_PIECES, max_size=30).map("".join))
@example("call + (555) 123-4567 or a+12345678 or x12345678, see Www.x.y or httP\u017f://z")
def test_fast_scrubbing_patterns_match_their_plain_forms(text):
    import re

    from job2vec.preprocessing import _PHONE, _URL

    assert _URL.sub("|", text) == re.sub(_PLAIN_URL, "|", text)
    assert _PHONE.sub("|", text) == re.sub(_PLAIN_PHONE, "|", text)


def _scrub_everywhere(text, phones=True, keep_offsets=False):
    """What `_scrub` must give: each pattern substituted over the whole text, in order."""
    from job2vec.preprocessing import _EMAIL, _PHONE, _URL

    blank = (lambda match: " " * len(match.group(0))) if keep_offsets else " "
    text = _EMAIL.sub(blank, _URL.sub(blank, text))
    return _PHONE.sub(blank, text) if phones else text


# Marks, white space of several kinds, and characters whose lower case is special: "İ" lower-cases
# to two characters, "Σ" to "σ" or a final "ς" by what follows it, "K" (Kelvin) to "k".
_STRETCH_PIECES = st.sampled_from(
    list("0123456789+ ().-/:@aHhTtPpSsWwx_é\n\t\u00a0\u2003\u0130\u03a3\u212a\u017f")
    + ["http", "HTTPS://", "www.", "wWw.", "WWW.", "a@b.c", "X.Y", "://", " @ ", "\u0661\u0662\u0663"])


@settings(max_examples=600, deadline=None)
@given(st.lists(_STRETCH_PIECES, max_size=40).map("".join), st.booleans(), st.booleans())
@example("a\u03a3HTTPS://0", True, False)
@example("mail: ann@x.org, bob@y.org;see www.z.com\tor HTTP://w.v/1 @ x@@y.z", True, True)
def test_scrubbing_around_marks_equals_scrubbing_everywhere(text, phones, keep_offsets):
    from job2vec.preprocessing import _scrub

    assert _scrub(text, phones, keep_offsets) == _scrub_everywhere(text, phones, keep_offsets)
    assert _scrub(text, phones, lower=True) == _scrub_everywhere(text, phones).lower()


def test_scrubbing_patterns_see_a_character_and_its_lower_case_alike():
    import re
    import sys

    # Every character class and literal of _URL, _EMAIL and _PHONE (their \b is a \w next to a \W).
    atoms = [r"\w", r"\d", r"\s", r"\S", "[hHwW]", "[hH]", "[wW]", "[tT]", "[pP]", "[sS\u017f]", ":", "/", r"\.",
             "@", r"\+", "-", r"\(", r"\)", " ", r"[\w.+-]", r"[\w-]", r"[\w.-]", r"[+\d]", r"[\d ().-]"]
    changed = [c for c in map(chr, range(sys.maxunicode + 1)) if len(c.lower()) == 1 and c.lower() != c]
    assert len(changed) > 1000
    for atom in map(re.compile, atoms):
        assert [c for c in changed if bool(atom.fullmatch(c)) != bool(atom.fullmatch(c.lower()))] == [], atom


def test_stop_words_can_be_kept_and_lemmas_skipped():
    prep = TextPreprocessor(remove_stop_words=False, lemmatize=False)
    assert prep.fit_transform(["Head of IT Systems"]) == [["head", "of", "it", "systems"]]


def test_numbers_and_punctuation_dropped_alphanumerics_kept():
    assert TextPreprocessor().fit_transform(["5 years of C++ and SQL2019 -- 100%"]) == [["year", "c++", "sql2019"]]


def test_identical_texts_are_processed_once_but_answered_per_row():
    out = TextPreprocessor().fit_transform(pd.Series(["software engineer", "nurse", "software engineer"]))
    assert out == [["software", "engineer"], ["nurse"], ["software", "engineer"]]
    out[0].append("mutated")  # rows must not share list objects
    assert out[2] == ["software", "engineer"]


def test_keep_pos_needs_a_trained_pipeline():
    with pytest.raises(ValueError, match="keep_pos needs a trained spacy_model"):
        TextPreprocessor(keep_pos=("NOUN",)).fit(["x"])


def test_missing_trained_pipeline_is_a_clear_error():
    with pytest.raises(ValueError, match="not installed"):
        TextPreprocessor(spacy_model="xx_no_such_pipeline").fit(["x"])


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="no language"):
        TextPreprocessor(language="zz").fit(["x"])


@pytest.mark.parametrize("bad, error", [("a single string", TypeError), ([None], ValueError),
                                        ([3], TypeError), ([], ValueError), (["  "], ValueError)])
def test_bad_input(bad, error):
    with pytest.raises(error):
        TextPreprocessor().fit_transform(bad)


def test_clone_and_pickle():
    prep = TextPreprocessor(language="fr", remove_stop_words=False)
    assert clone(prep).get_params() == prep.get_params()
    restored = pickle.loads(pickle.dumps(prep.fit()))
    assert restored.transform(["Les ingénieurs"]) == prep.transform(["Les ingénieurs"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60).filter(str.strip), min_size=1, max_size=5))
def test_any_text_gives_lowercase_word_tokens(texts):
    out = TextPreprocessor().fit_transform(texts)
    assert len(out) == len(texts)
    for tokens in out:
        for token in tokens:
            assert token == token.lower() and token.strip() == token and token


@given(st.text(max_size=40))
def test_normalize_title_is_idempotent(title):
    once = normalize_title(title)
    assert normalize_title(once) == once
    assert "  " not in once


def test_normalize_title_examples():
    assert normalize_title("  Senior  DATA\tEngineer ") == "senior data engineer"


@pytest.mark.parametrize("variants", [
    # Spacing variants of real LinkedIn 2024 titles: one title each.
    ("UI / UX Developer", "ui/ux developer"),
    ("portfolio analyst ( fund finance group)", "portfolio analyst (fund finance group)"),
    ("data analyst -remote", "data analyst - remote", "Data Analyst – Remote"),
    ("senior software engineer,back end", "senior software engineer, back end"),
])
def test_normalize_title_merges_spacing_variants(variants):
    assert len({normalize_title(v) for v in variants}) == 1


def test_normalize_title_keeps_what_differs():
    assert normalize_title("back-end developer") != normalize_title("back end developer")
    assert normalize_title("sr. java developer") != normalize_title("sr java developer")
    assert normalize_title("1,000 hours") == "1,000 hours"


def test_keep_punctuation_keeps_symbols_and_title_numbers():
    title = "Sr. .NET Developer (2021-0049) – C#"
    words = TextPreprocessor(lemmatize=False, remove_stop_words=False, keep_numbers=True).fit_transform([title])
    every = TextPreprocessor(lemmatize=False, remove_stop_words=False, keep_numbers=True,
                             keep_punctuation=True).fit_transform([title])
    assert words == [["sr", "developer", "c"]]  # the number looked like a phone number
    assert every == [["sr", ".", ".net", "developer", "(", "2021", "-", "0049", ")", "–", "c", "#"]]


def test_vocabulary_min_count_ids_padding_and_truncation():
    corpus = [["a", "b", "a"], ["a", "c", "b"], ["d"]]
    vocab = Vocabulary(min_count=2).fit(corpus)
    assert vocab.words_ == ["a", "b"] and len(vocab) == 3
    np.testing.assert_array_equal(vocab.encode([["b", "zzz", "a"], ["c"]], 3), [[2, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(vocab.encode([["a", "a", "a", "b"]], 2), [[1, 1]])
    np.testing.assert_array_equal(vocab.known_lengths([["a", "c"], []]), [1, 0])


def test_vocabulary_allowed_words():
    vocab = Vocabulary(min_count=1).fit([["a", "b"]], allowed={"b"})
    assert vocab.words_ == ["b"]


@pytest.mark.parametrize("language, texts", [
    ("en", ["The engineers were running analyses; welders weld pipes and managed teams of carpenters."]),
    ("fr", ["Les ingénieurs développent des applications et encadrent les équipes de soudeurs."]),
])
def test_cached_lookup_lemmas_equal_spacys_lemmatizer(language, texts, tasks):
    import spacy

    from job2vec.preprocessing import _scrub

    if language == "en":
        texts = texts + list(tasks[0][:50])
    nlp = spacy.blank(language)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    prep = TextPreprocessor(language=language)
    expected = [[w for w in (prep._word(t, None) for t in nlp(_scrub(text).lower())) if w] for text in texts]
    assert prep.fit_transform(texts) == expected


def _spacy_pipe_tokens(preprocessor, texts):
    """The tokens of spaCy's own ``nlp.pipe`` over whole texts: what the chunked path must reproduce."""
    from job2vec.preprocessing import _scrub

    prepared = [_scrub(t, not preprocessor.keep_punctuation).lower() for t in texts]
    docs, lemmas = preprocessor._pipe(prepared)
    return [preprocessor._tokens(doc, lemmas) for doc in docs]


# Odd white space, URLs, e-mails, phones, exceptions ("don't", "U.S."), affixes and symbols.
_EDGE_TEXTS = [
    "Sr.\u00a0Data\tEngineer\n\n(m/f/d) -- don't apply @ www.Example.com/jobs or HTTPS://x.y/z?q=1!",
    "Call +44 (0)20 7946 0958, tel:0612345678, or mail a.b+c@d-e.co.uk; U.S. & EU roles: C#/.NET, node.js 3D",
    "  \u2003leading spaces\u2009and em\u2014dashes\u2026 \"quoted\" 'words' [brackets] {braces} 50% $100k/yr  ",
    # Chunks of letters or digits only: one token unless an exception (cannot, gonna, dont, im).
    "Cannot gonna dont Im 2024 ² ½ 10km café cafe\u0301 données データ ªb ⅷ Ⅻ ǅ ß straße",
    # Shaped chunks, some holding exceptions: (cannot), e.g., i.e. a.m. etc. u.s. st. jr. vs. can't.
    "Data-driven, (SQL), and/or skills: (Python); Java) (C a.m. e.g., i.e. (e.g. etc.) u.s. st. jr. vs. can't. "
    "(cannot), gonna! x-ray? ok. exp.responsibilities.requirements end.start, a/b/c no:go",
    # Exceptions made of a shape's marks only (":)", ":-)", "(:") or holding a shaped word (e.g., a.m.).
    "great:) fine:-) (:ok (:) e.g: e.g.) a.m.) (vs. (p.m., dont: im, gonna) it's) o.k.",
]


@pytest.mark.parametrize("language, options", [
    ("en", {}),
    ("en", {"remove_stop_words": False, "keep_numbers": True, "keep_punctuation": True}),
    ("en", {"remove_stop_words": False, "keep_numbers": True, "keep_punctuation": True, "lemmatize": False}),
    ("fr", {}),
])
def test_chunked_tokenizer_matches_spacy_pipe_token_for_token(language, options):
    from job2vec.datasets import load_esco, load_onet

    if language == "en":
        texts = list(load_esco().occupations["description"][:400]) + list(load_onet(kind="tasks").data[:400])
        texts += list(load_esco().frame["label"][:400])
    else:
        texts = list(load_esco(language="fr").frame["label"][:800]) + ["Acheteur / Acheteuse e-commerce (post-cure)"]
    texts += _EDGE_TEXTS
    preprocessor = TextPreprocessor(language=language, **options).fit()
    assert preprocessor.transform(texts) == _spacy_pipe_tokens(preprocessor, texts)


def test_parallel_tokenization_gives_the_same_tokens():
    from job2vec.datasets import load_onet

    texts = list(load_onet(kind="tasks").data[:1200])
    serial = TextPreprocessor().fit_transform(texts)
    assert TextPreprocessor(n_process=2, batch_size=100).fit_transform(texts) == serial


def test_a_full_chunk_cache_starts_again_and_gives_the_same_tokens(monkeypatch):
    import job2vec.preprocessing as preprocessing
    from job2vec.datasets import load_onet

    # A cache that fills on the second text: chunks seen before the clearing are looked up again after it.
    monkeypatch.setattr(preprocessing, "_CHUNK_CACHE_SIZE", 40)
    preprocessing._chunk_words.cache_clear()
    texts = list(load_onet(kind="tasks").data[:200])
    try:
        preprocessor = TextPreprocessor().fit()
        assert preprocessor.transform(texts) == _spacy_pipe_tokens(preprocessor, texts)
        cache = preprocessing._chunk_words("en", True, True, False, False)
        assert len(cache) <= 40 + max(len(t.split()) for t in texts)
    finally:
        preprocessing._chunk_words.cache_clear()  # the next tests' cache has the real size
