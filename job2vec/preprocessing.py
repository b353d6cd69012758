"""Text preprocessing: raw job texts to token lists, and token lists to ids.

`TextPreprocessor` wraps spaCy. By default it uses a blank pipeline with the
lookup lemmatizer of ``spacy-lookups-data``, so nothing is downloaded at run
time; a trained pipeline (for instance ``fr_core_news_sm``) can be named
instead, which also enables part-of-speech filtering.

`tokenize` is the one tokenization step of every estimator's fit and predict
(the ids and word vectors that follow it live in `job2vec.word_vectors`).
"""

import functools
import re
from itertools import accumulate, chain, filterfalse
import unicodedata

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin

from ._validation import check_texts, stateless_text_tags

__all__ = ["TextPreprocessor", "normalize_title", "tokenize"]

# Scrubbed before tokenization: they carry no job information and explode the vocabulary.
# "http://", "https://" or "www." in any case, and what follows up to white space. Written to
# start with a character set, as _PHONE below; "\u017f" ("ſ") is an "s" to re.IGNORECASE.
_URL = re.compile(r"[hHwW](?:(?<=[hH])[tT][tT][pP][sS\u017f]?://|(?<=[wW])[wW][wW]\.)\S+")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# A digit run of 8+ characters, optionally after a "+", not inside a word: "+" or a digit not
# after a word character, a digit after a "+", then [\d ().-]{6,}\d. Written to start with a
# character set (the look-arounds after it), which `re` scans for without entering the pattern.
_PHONE = re.compile(r"[+\d](?<!\w[+\d])(?:(?<=\+)\d|(?<!\+))[\d ().-]{6,}\d(?!\w)")
_WHITESPACE = re.compile(r"\s+")
# Spacing variants of one title ("ui / ux", "( remote )", "analyst -remote", "a ,b"): no
# space around a slash, inside brackets or before a comma; a dash with a space on one side
# is a separator, spaced on both; a comma before a letter is followed by one space.
_TIGHT = re.compile(r"(?<=[(\[/]) | (?=[)\]/,])")
_SEPARATOR_DASH = re.compile(r"(?: ?[-\u2013\u2014])+ ?")
_COMMA = re.compile(r",(?=[^\W\d_])")
_CHUNK_CACHE_SIZE = 500_000  # distinct chunks remembered per configuration (~100 MB)


def normalize_title(title):
    """Normalize a job title for exact comparison.

    Unicode NFKC, lower case, runs of white space collapsed to one space,
    and spacing around punctuation made uniform: no space around "/",
    inside brackets or before a comma; one after a comma followed by a
    letter; a dash ("-", "–", "—") with a space on either side becomes the
    separator " - ", while "back-end" keeps its hyphen. "Data  Engineer",
    "data engineer", "UI / UX Developer" and "ui/ux developer", or
    "Analyst -Remote" and "analyst – remote", then share one title.

    Parameters
    ----------
    title : str
        A job title.

    Returns
    -------
    str
        The normalized title.
    """
    title = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", title)).strip().lower()
    title = _SEPARATOR_DASH.sub(_dash, title)
    return _TIGHT.sub("", _COMMA.sub(", ", title)).strip()


def _dash(match):
    """A spaced dash is the separator " - "; an unspaced one ("back-end") stays as it is."""
    return " - " if match.group(0) != match.group(0).strip() else match.group(0)


def _scrub(text, phones=True, keep_offsets=False, lower=False):
    """`text` without URLs, e-mail addresses and (if `phones`) phone numbers.

    With `keep_offsets` each is blanked by as many spaces as it had
    characters, so character offsets still point into the original text (the
    extra spaces become space tokens, which are dropped: the same tokens).
    With `lower`, the result is lower-cased too.
    """
    blank = (lambda match: " " * len(match.group(0))) if keep_offsets else " "
    lowered = text.lower()
    # Most characters lower-case to one character. When all do, the patterns take the same
    # matches from the lower-cased text: each of their character classes holds a character
    # exactly when it holds its lower case (tests/test_preprocessing.py checks every one). A "Σ"
    # lower-cases by what follows it ("σ" or a final "ς"), which a scrubbed match can change.
    one_for_one = len(lowered) == len(text)
    lower_first = lower and one_for_one and "\u03a3" not in text
    if lower_first:
        text = lowered
    if "://" in text or "www." in lowered:  # what every URL the pattern takes has: most texts skip it
        if one_for_one:  # a "www." of `lowered` is then one of `text`
            text = _sub_around(_URL, text, _find_all(text, "://") + _find_all(lowered, "www."), blank)
        else:
            text = _URL.sub(blank, text)
    if "@" in text:  # the one character every address has
        text = _sub_around(_EMAIL, text, _find_all(text, "@"), blank)
    if phones:
        text = _PHONE.sub(blank, text)
    return text.lower() if lower and not lower_first else text


def _sub_around(pattern, text, marks, blank):
    """``pattern.sub(blank, text)`` for a pattern whose every match holds a mark and no white space.

    Such a match lies between the spaces around its mark (at `marks`), so
    only those stretches are searched, not the whole text: the patterns'
    scans are most of the scrubbing time. The spaces that bound a stretch
    look to the pattern as the text's ends do (``\\b``, ``\\S``).
    """
    pieces, done = [], 0
    for at in sorted(marks):
        if at < done:
            continue  # in the stretch just searched
        start, end = max(text.rfind(" ", 0, at) + 1, done), text.find(" ", at)
        end = len(text) if end < 0 else end
        pieces += [text[done:start], pattern.sub(blank, text[start:end])]
        done = end
    return "".join(pieces) + text[done:]


def _find_all(text, mark):
    """The start of every (overlapping) occurrence of `mark` in `text`."""
    found, at = [], text.find(mark)
    while at >= 0:
        found.append(at)
        at = text.find(mark, at + 1)
    return found


@functools.lru_cache(maxsize=8)
def _load_pipeline(language, spacy_model, lemmatize):
    """Load (once per process) the spaCy pipeline: kept out of estimators so they pickle light."""
    import spacy

    if spacy_model is not None:
        try:
            # Parser and NER are never used here; excluding them is most of the speed-up.
            return spacy.load(spacy_model, exclude=["parser", "ner", "senter"])
        except OSError as exc:
            raise ValueError(
                f"spaCy pipeline {spacy_model!r} is not installed; install it with "
                f"`pip install {spacy_model}` or use spacy_model=None for the built-in one."
            ) from exc
    try:
        nlp = spacy.blank(language)
    except ImportError as exc:
        raise ValueError(f"spaCy has no language {language!r}.") from exc
    if lemmatize:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        try:
            nlp.initialize()
        except (ValueError, OSError) as exc:
            raise ValueError(
                f"No lookup lemmatizer table for language {language!r} in spacy-lookups-data; "
                "use lemmatize=False."
            ) from exc
    return nlp


def _trim_lexical_attributes(nlp):
    """Have `nlp` compute, for strings it has not seen, only the attributes `TextPreprocessor` reads.

    spaCy computes some twenty lexical attributes (shape, like_url, ...) for
    each new string; a corpus's long tail of rare strings made that a third
    of the tokenization time. White space and stop words are all the blank
    path reads (with the text and the lookup lemma), and the tokenizer's
    splits use none of them. Only job2vec's own blank pipelines are trimmed.
    """
    from spacy.attrs import IS_SPACE, IS_STOP

    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {attr: getters[attr] for attr in (IS_SPACE, IS_STOP) if attr in getters}


_LETTER_RUN = re.compile(r"[^\W\d_]+")  # a run of letters: the words a tokenizer exception holds
# The kinds of chunk most postings are made of: an optional "(", ASCII letters with at most one
# inner "-", "/", ":" or ".", and up to two closing marks ("data-driven", "skills),", "(sql)").
_SHAPED_CHUNK = re.compile(r"(\(?)([a-z]+)(?:([-/:.])([a-z]+))?([,.:;)!?]{0,2})")


def _shape_tokens(opening, first, separator, second, closing):
    """The tokens a shaped chunk has if the tokenizer splits it at every mark but an inner ".". """
    core = [first] if separator is None else [f"{first}.{second}"] if separator == "." else [first, separator, second]
    return ([opening] if opening else []) + core + list(closing)


class _TokenWords(dict):
    """Token text → the word `TextPreprocessor` keeps of it (None when dropped), computed on first use.

    The same as `TextPreprocessor._word` of a blank pipeline's token with
    that text: there a token's output depends on its text only.
    """

    def __init__(self, preprocessor, is_stop):
        super().__init__()
        self.keep_numbers, self.keep_punctuation = preprocessor.keep_numbers, preprocessor.keep_punctuation
        self.is_stop = is_stop if preprocessor.remove_stop_words else None
        self.lemmas = preprocessor._pipe([])[1]

    def __missing__(self, text):
        # Written out in one function: it runs once per new token text, which is much of a first pass.
        first = text[0]
        if not first.isalpha() and (text.isspace() or not (
                self.keep_numbers if first.isdigit() else self.keep_punctuation)):
            word = None  # spaces, and unless asked for, numbers and punctuation
        elif self.is_stop is not None and self.is_stop(text):
            word = None
        else:
            word = _lookup_lemma(self.lemmas, text).lower()
        self[text] = word
        return word


class _ChunkWords(dict):
    """White-space-free chunk of lower-cased text → the words `TextPreprocessor` keeps of it.

    Chunks are added text by text. Most chunks' tokens are known from their
    shape (`_shaped_tokens`), and their words are read off directly; the
    other new chunks of a text are tokenized together, joined by single
    spaces, and the tokens given back to their chunk by offset. A token's
    word is computed once (`_TokenWords`): "data", "data," and "(data" share it.
    """

    def __init__(self, preprocessor):
        super().__init__()
        from spacy.attrs import IS_STOP

        nlp = _load_pipeline(preprocessor.language, None, preprocessor.lemmatize)
        _trim_lexical_attributes(nlp)
        self.tokenizer = nlp.tokenizer
        self.exceptions = frozenset(nlp.tokenizer.rules)
        self.exception_words = frozenset(chain.from_iterable(map(_LETTER_RUN.findall, self.exceptions)))
        # What a new lexeme's is_stop is: the getter, not the lexeme, so no lexeme is made.
        self.token_words = _TokenWords(preprocessor, nlp.vocab.lex_attr_getters.get(IS_STOP, lambda text: False))
        self.shapes = {}  # (opening, separator, closing) -> whether the tokenizer splits as `_shape_tokens`
        # A token_match (French: "e-commerce", "post-cure") depends on the letters, not only the shape.
        self.by_shape = nlp.tokenizer.token_match is None

    def words(self, text):
        chunks = text.split()
        new = list(filterfalse(self.__contains__, set(chunks)))
        if len(self) + len(new) > _CHUNK_CACHE_SIZE:  # full: start again from this text's chunks
            self.clear()
            self.token_words.clear()
            new = list(set(chunks))
        if new:
            self._add(sorted(new))  # sorted: the same vocabulary growth in every run
        return list(chain.from_iterable(map(self.__getitem__, chunks)))

    def _add(self, chunks):
        token_words, exceptions = self.token_words, self.exceptions
        unshaped = []
        for chunk in chunks:
            if chunk.isalpha() and chunk not in exceptions:  # most chunks: one word token, no rule applies
                word = token_words[chunk]
                self[chunk] = () if word is None else (word,)
                continue
            tokens = self._shaped_tokens(chunk)
            if tokens is None:
                unshaped.append(chunk)
            else:
                self[chunk] = tuple(word for word in map(token_words.__getitem__, tokens) if word is not None)
        if not unshaped:
            return
        ends = list(accumulate(len(chunk) + 1 for chunk in unshaped))  # each chunk's end, plus its space
        words = [[] for _ in unshaped]
        at = 0
        for token in self.tokenizer(" ".join(unshaped)):
            while token.idx >= ends[at]:
                at += 1
            word = token_words[token.text]
            if word is not None:
                words[at].append(word)
        self.update(zip(unshaped, map(tuple, words)))

    def _shaped_tokens(self, chunk):
        """The token texts of `chunk` if its shape tells them, else None (the tokenizer is asked).

        A chunk of letters only, or of ASCII digits only, is one token: no
        prefix, suffix or infix rule matches such a string. A `_SHAPED_CHUNK`
        splits as its shape did when tried once with stand-in words (unless
        the tokenizer has a ``token_match``, which reads the letters). Either
        way, a chunk holding a tokenizer exception between two of its token
        boundaries (where spaCy looks them up) is left to the tokenizer.
        """
        if chunk.isalpha() or chunk.isascii() and chunk.isdigit():
            return None if chunk in self.exceptions else [chunk]
        match = _SHAPED_CHUNK.fullmatch(chunk) if self.by_shape else None
        if match is None:
            return None
        opening, first, separator, second, closing = match.groups()
        shape = (opening, separator, closing)
        if shape not in self.shapes:
            expected = _shape_tokens(opening, "abc", separator, "def", closing)
            self.shapes[shape] = [t.text for t in self.tokenizer("".join(expected))] == expected
        if not self.shapes[shape]:
            return None
        tokens = _shape_tokens(opening, first, separator, second, closing)
        # An exception holding a word token has that word as one of its letter runs. Without such a
        # word, one could only be made of the shape's marks, and the stand-in words would have shown it.
        if first in self.exception_words or second in self.exception_words:
            bounds = list(accumulate(map(len, tokens), initial=0))
            if any(chunk[start:end] in self.exceptions for start in bounds for end in bounds if start < end):
                return None
        return tokens


@functools.lru_cache(maxsize=8)
def _chunk_words(language, lemmatize, remove_stop_words, keep_numbers, keep_punctuation):
    """The chunk cache of one configuration of the blank pipeline, shared by the process's preprocessors."""
    return _ChunkWords(TextPreprocessor(language=language, lemmatize=lemmatize, remove_stop_words=remove_stop_words,
                                        keep_numbers=keep_numbers, keep_punctuation=keep_punctuation))


def _blank_batch(params, texts):
    """`TextPreprocessor._blank_tokens` of one batch, in a worker process."""
    return TextPreprocessor(**{**params, "n_process": 1})._blank_tokens(texts)


class TextPreprocessor(TransformerMixin, BaseEstimator):
    """Turn raw job titles or descriptions into lists of normalized tokens.

    The steps are: scrub URLs, e-mail addresses and phone numbers; tokenize
    with spaCy; keep word tokens (no punctuation, spaces or bare numbers);
    optionally drop stop words and keep only some parts of speech; take the
    lemma; lower-case it.

    Parameters
    ----------
    language : str, default="en"
        spaCy language code of the blank pipeline (``"en"``, ``"fr"``, ...).
        Ignored when `spacy_model` is given.
    spacy_model : str or None, default=None
        Name of an installed trained spaCy pipeline, e.g. ``"en_core_web_sm"``
        or ``"fr_core_news_sm"``. None uses ``spacy.blank(language)`` with the
        lookup lemmatizer of ``spacy-lookups-data``.
    lemmatize : bool, default=True
        Replace each word by its lemma.
    remove_stop_words : bool, default=True
        Drop spaCy's stop words for the language.
    keep_numbers : bool, default=False
        Keep tokens made of or starting with digits ("2", "3d", "2024-0131"),
        which are dropped by default.
    keep_punctuation : bool, default=False
        Keep punctuation and symbol tokens as written (".", "-", "/", "(",
        ".net"), and leave digit runs that look like phone numbers alone
        (they are scrubbed otherwise). For titles, where ".net developer" is
        not "developer" and "level 3 (2021-0049)" not "level 1 (2021-0254)".
    keep_pos : tuple of str or None, default=None
        Universal POS tags to keep (e.g. ``("NOUN", "PROPN", "VERB", "ADJ")``).
        Needs a trained `spacy_model`, since a blank pipeline has no tagger.
    batch_size : int, default=256
        Texts per batch in ``nlp.pipe``.
    n_process : int, default=1
        Worker processes for ``nlp.pipe``.

    Attributes
    ----------
    n_features_in_ : int
        Always 1: each sample is one text.

    Examples
    --------
    >>> from job2vec import TextPreprocessor
    >>> TextPreprocessor().fit_transform(["Senior Data Engineers wanted! Mail jobs@acme.com"])
    [['senior', 'data', 'engineer', 'want', 'mail']]
    """

    def __init__(
        self,
        language="en",
        spacy_model=None,
        lemmatize=True,
        remove_stop_words=True,
        keep_numbers=False,
        keep_punctuation=False,
        keep_pos=None,
        batch_size=256,
        n_process=1,
    ):
        self.language = language
        self.spacy_model = spacy_model
        self.lemmatize = lemmatize
        self.remove_stop_words = remove_stop_words
        self.keep_numbers = keep_numbers
        self.keep_punctuation = keep_punctuation
        self.keep_pos = keep_pos
        self.batch_size = batch_size
        self.n_process = n_process

    def __sklearn_tags__(self):
        return stateless_text_tags(super().__sklearn_tags__())

    def fit(self, X=None, y=None):
        """Check the parameters and load the spaCy pipeline.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        self : TextPreprocessor
        """
        if self.keep_pos is not None and self.spacy_model is None:
            raise ValueError("keep_pos needs a trained spacy_model: a blank pipeline has no POS tagger.")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}.")
        _load_pipeline(self.language, self.spacy_model, self.lemmatize)
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        """Tokenize texts.

        Identical texts are processed once (job boards repost the same ad).

        Parameters
        ----------
        X : list, numpy array or pandas Series of str
            The texts.

        Returns
        -------
        tokens : list of list of str
            One token list per text; it may be empty (e.g. a text of stop words).
        """
        texts = check_texts(X, "X", allow_tokens=False)
        unique_texts, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
        phones = not self.keep_punctuation
        if self.spacy_model is None:
            unique_tokens = self._blank_tokens([_scrub(text, phones, lower=True) for text in unique_texts])
        else:
            docs, lemmas = self._pipe((_scrub(text, phones) for text in unique_texts), batch_size=self.batch_size,
                                      n_process=self.n_process)
            unique_tokens = [self._tokens(doc, lemmas) for doc in docs]
        # A repeated text gets its own copy of the list; the first one takes the list made for it.
        taken = np.zeros(len(unique_tokens), dtype=bool)
        tokens = []
        for i in inverse.ravel():
            tokens.append(list(unique_tokens[i]) if taken[i] else unique_tokens[i])
            taken[i] = True
        return tokens

    def _blank_tokens(self, texts):
        """Token lists of scrubbed, lower-cased `texts` through the blank pipeline, chunk by chunk.

        spaCy's tokenizer splits a text at white space first and tokenizes each
        chunk on its own (prefixes, suffixes, infixes, exceptions; none of the
        blank pipelines' exceptions spans white space), and with the blank
        pipeline a token's output depends on its text only. So a chunk's words
        are computed once (`_ChunkWords`) and texts are split with `str.split`,
        which uses the same definition of white space: the same tokens
        (tests/test_preprocessing.py checks it against ``nlp.pipe`` on bundled
        ESCO and O*NET text), 2 times faster on text new to the process and 6
        times on text seen before (LinkedIn descriptions, benchmarks/speed.py).
        """
        chunk_words = _chunk_words(self.language, self.lemmatize, self.remove_stop_words, self.keep_numbers,
                                   self.keep_punctuation)
        if self.n_process == 1 or len(texts) < 4 * self.batch_size:
            return [chunk_words.words(text) for text in texts]
        batches = [texts[start:start + self.batch_size] for start in range(0, len(texts), self.batch_size)]
        parts = Parallel(n_jobs=self.n_process)(delayed(_blank_batch)(self.get_params(), batch) for batch in batches)
        return [tokens for part in parts for tokens in part]

    def _pipe(self, prepared, **options):
        """spaCy docs of the `prepared` texts (scrubbed; lower-cased for the blank pipeline), and the lemma table.

        The lookup tables are keyed by lower-case forms; a trained tagger wants
        the original case. spaCy's lookup lemmatizer loops over every token in
        Python; the same table, read once per distinct word (see `_tokens`),
        gives the same lemmas, so it is returned instead (None when unused).
        """
        nlp = _load_pipeline(self.language, self.spacy_model, self.lemmatize)
        lemmas = None
        if self.spacy_model is None and self.lemmatize:
            lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        return nlp.pipe(prepared, disable=["lemmatizer"] if lemmas is not None else [], **options), lemmas

    def token_spans(self, text):
        """The tokens of one text, as `transform` makes them, with where each comes from.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of (str, int, int)
            Each token and the (start, end) character offsets of the word it
            was made from in `text`, so ``text[start:end]`` is that word as
            written.
        """
        [text] = check_texts([text], "text", allow_tokens=False)
        blank = self.spacy_model is None
        scrubbed = _scrub(text, not self.keep_punctuation, keep_offsets=True)
        # Lower-casing can lengthen a character ("İ"): map each lowered character back to its source.
        source = [i for i, char in enumerate(scrubbed) for _ in (char.lower() if blank else char)]
        docs, lemmas = self._pipe([scrubbed.lower() if blank else scrubbed])
        doc = next(docs)
        spans = []
        for token in doc:
            word = self._word(token, lemmas)
            if word is not None:
                spans.append((word, source[token.idx], source[token.idx + len(token.text) - 1] + 1))
        return spans

    def _tokens(self, doc, lemmas):
        return [word for word in (self._word(token, lemmas) for token in doc) if word is not None]

    def _word(self, token, lemmas):
        """The output form of `token`, or None when it is dropped."""
        text = token.text
        if text[:1].isalpha():
            pass  # a word ("data", "c++", "covid-19")
        elif token.is_space or not (self.keep_numbers if text[:1].isdigit() else self.keep_punctuation):
            return None  # spaces, and unless asked for, numbers and punctuation
        if self.remove_stop_words and token.is_stop:
            return None
        if self.keep_pos is not None and token.pos_ not in self.keep_pos:
            return None
        if lemmas is not None:
            word = _lookup_lemma(lemmas, text)
        else:
            word = token.lemma_ if self.lemmatize and token.lemma_ else text
        return word.lower()


def _lookup_lemma(lemmas, text):
    """The lemma of `text` in a spaCy lookup table (`text` itself when absent or without a table)."""
    if lemmas is None:
        return text
    word = lemmas.get(text, text)
    if not isinstance(word, str):  # some tables list several lemmas; spaCy takes the first
        word = word[0] if word else text
    return word


def tokenize(texts, *, language, spacy_model, remove_stop_words, lemmatize=True, keep_numbers=False,
             keep_punctuation=False):
    """Token lists of `texts`; texts that are already token lists (a `TextPreprocessor` step) pass through."""
    if isinstance(texts[0], list):
        return texts
    preprocessor = TextPreprocessor(language=language, spacy_model=spacy_model, remove_stop_words=remove_stop_words,
                                    lemmatize=lemmatize, keep_numbers=keep_numbers,
                                    keep_punctuation=keep_punctuation)
    return preprocessor.fit(texts).transform(texts)


def __getattr__(name):
    # `Vocabulary` moved to job2vec.word_vectors in 0.2; models pickled by 0.1 look for it here.
    if name == "Vocabulary":
        from .word_vectors import Vocabulary

        return Vocabulary
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
