"""Why a title was predicted: the words that drove the score (the JOAPS paper's Table 5).

`TitlePredictor.explain` splits the description–title cosine over the
description's words through the CNN's max-pooled filters; the Seq2Seq
baseline's `explain` gives its attention instead. Both return an
`Explanation`, which renders as HTML (darker is more important, as in the
paper) or as plain text.

The filter attribution is exact for the cosine. With ``z`` the max-pooled
filter values, ``W`` and ``c`` the dense layer, ``d = zW + c`` and ``v`` the
unit title vector, the score is::

    cos = d·v / ‖d‖ = sum_f z_f (W_f·v) / ‖d‖ + c·v / ‖d‖

so filter ``f`` moves the score by ``z_f (W_f·v) / ‖d‖``; that share goes, in
equal parts, to the words of the n-gram where the filter reached its maximum
(padding gets nothing). A word's weight is the sum of the shares it received;
the weights plus the bias term ``c·v / ‖d‖`` add up to the cosine.
"""

import html
from dataclasses import dataclass

import numpy as np

__all__ = ["Explanation", "deletion_test", "filter_attributions", "html_page"]


@dataclass(frozen=True)
class Explanation:
    """The words of a description and how much each drove the score of a title.

    Attributes
    ----------
    text : str
        The description as given.
    tokens : list of str
        The words the model reads (lemmas, stop words dropped), in order.
    spans : list of (int, int)
        Where each token comes from: ``text[start:end]`` is the word as written.
    weights : ndarray of shape (n_tokens,)
        Each token's contribution to `score`; 0 for words the model does not
        know (or beyond its description length).
    title : str
        The explained title (normalized).
    score : float
        The score being explained: the description–title cosine (JOAPS), or
        the title's log probability (Seq2Seq).
    method : str
        ``"filters"`` or ``"gradient"`` (JOAPS, see `filter_attributions`), or
        ``"attention"`` (Seq2Seq).
    """

    text: str
    tokens: list
    spans: list
    weights: np.ndarray
    title: str
    score: float
    method: str

    def top_words(self, k=10):
        """The `k` tokens with the largest weights, as ``(token, weight)``, largest first."""
        order = np.argsort(-self.weights, kind="stable")[:k]
        return [(self.tokens[i], float(self.weights[i])) for i in order if self.weights[i] > 0]

    def to_html(self):
        """The text with each word highlighted, darker for a larger weight (negative ones in blue).

        Returns
        -------
        str
            An HTML fragment; the text is escaped.
        """
        scale = float(np.abs(self.weights).max()) or 1.0
        parts, position = [], 0
        for (start, end), weight in zip(self.spans, self.weights):
            parts.append(html.escape(self.text[position:start]))
            word = html.escape(self.text[start:end])
            if weight:
                colour = "255, 120, 0" if weight > 0 else "40, 110, 255"
                parts.append(f'<span style="background-color: rgba({colour}, {abs(weight) / scale:.2f})" '
                             f'title="{weight:+.4f}">{word}</span>')
            else:
                parts.append(word)
            position = end
        parts.append(html.escape(self.text[position:]))
        header = (f"<p><b>{html.escape(self.title)}</b> ({self.method}, score {self.score:.3f})</p>")
        return header + '<p style="white-space: pre-wrap">' + "".join(parts) + "</p>"

    def _repr_html_(self):
        return self.to_html()

    def __str__(self):
        words = ", ".join(f"{token} {weight:+.3f}" for token, weight in self.top_words(10))
        return f"{self.title} ({self.method}, score {self.score:.3f})\n  words that drove it: {words or '(none)'}"


def html_page(explanations):
    """A standalone HTML page of `explanations` (what ``job2vec explain --html`` writes)."""
    body = "\n<hr>\n".join(e.to_html() for e in explanations)
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>job2vec explanations</title></head>\n'
            '<body style="font-family: sans-serif; max-width: 60em">\n'
            "<p>Darker words drove the title's score more (orange: towards the title, blue: away).</p>\n"
            f"{body}\n</body></html>\n")


def filter_attributions(weights, ids, title_vector, method="filters"):
    """Each description position's part in the description–title cosine.

    Parameters
    ----------
    weights : dict
        A fitted JOAPS network's `description_weights`.
    ids : ndarray of shape (description_length,)
        The description's word ids, padded with 0.
    title_vector : ndarray of shape (embedding_size,)
        The unit title vector.
    method : {"filters", "gradient"}, default="filters"
        ``"filters"``: each filter's exact share of the cosine, split over its
        winning n-gram (see the module docstring). ``"gradient"``: gradient ×
        input, the cosine's gradient with respect to each word vector (it
        flows through the winning windows only) dotted with that vector.

    Returns
    -------
    weights : ndarray of shape (description_length,)
    score : float
        The cosine, recomputed from the same weights.
    """
    words = weights["w_in"][ids]
    pooled, winners = [], []
    for kernel, bias in weights["conv"]:
        n_windows = len(ids) - len(kernel) + 1
        activations = np.tanh(bias + sum(words[j : j + n_windows] @ kernel[j] for j in range(len(kernel))))
        best = activations.argmax(axis=0)
        pooled.append(activations[best, np.arange(activations.shape[1])])
        winners.append((kernel, best))
    features = np.concatenate(pooled)
    dense, bias = weights["dense"]
    description = features @ dense + bias
    norm = np.linalg.norm(description)
    score = float(description @ title_vector / norm)
    if method == "filters":
        per_filter = features * (dense @ title_vector) / norm
    else:  # d cos / d features, then through tanh to the winning windows' inputs
        per_filter = dense @ (title_vector - score * description / norm) / norm * (1 - features**2)
    by_position = np.zeros(len(ids))
    offset = 0
    for kernel, best in winners:
        size, n_filters = len(kernel), len(best)
        window = best[:, None] + np.arange(size)  # (filters, size): the winning n-gram's positions
        real = ids[window] != 0
        part = per_filter[offset : offset + n_filters, None]
        if method == "filters":
            part = np.broadcast_to(part / np.maximum(real.sum(axis=1, keepdims=True), 1), window.shape)
        else:  # each window word: its vector . (the filter's gradient x its kernel column)
            part = part * np.einsum("fjd,jdf->fj", words[window], kernel)
        np.add.at(by_position, window[real], part[real])
        offset += n_filters
    return by_position, score


def _read(estimator, description, title):
    """Check the arguments; return the title (default: the top prediction), the token spans and the word ids.

    The tokens are those the estimator reads (see `JoapsBase._encode_descriptions`).
    """
    from .preprocessing import TextPreprocessor

    if not isinstance(description, str):
        raise TypeError(f"description must be one string, got {type(description).__name__}.")
    if title is None:
        title = estimator.predict([description])[0]
    elif not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}.")
    spans = TextPreprocessor(language=estimator.language, spacy_model=estimator.spacy_model,
                             remove_stop_words=True).token_spans(description)
    ids = estimator.vocabulary_.encode([[token for token, _, _ in spans]], estimator.description_length_)[0]
    return title, spans, ids


def _explanation(estimator, description, spans, by_position, title, score, method):
    """The `Explanation`, each token taking its position's weight (unknown words take no position)."""
    tokens = [token for token, _, _ in spans]
    weights, position = np.zeros(len(tokens)), 0
    for i, token in enumerate(tokens):
        if token in estimator.vocabulary_ and position < len(by_position):
            weights[i] = by_position[position]
            position += 1
    return Explanation(description, tokens, [(start, end) for _, start, end in spans], weights, title, score, method)


def explain_joaps(estimator, description, title, method="filters"):
    """`TitlePredictor.explain`: the attributions of one description for `title` (default: the top one)."""
    from ._base import title_label

    title, spans, ids = _read(estimator, description, title)
    title_vector = estimator._encode_titles([title])[0]
    by_position, score = filter_attributions(estimator._description_weights, ids, title_vector, method)
    return _explanation(estimator, description, spans, by_position, title_label(title), score, method)


def deletion_test(estimator, descriptions, ks=(1, 3, 5), random_state=0, method="filters"):
    """How faithful `estimator.explain` is: the score lost by deleting the top-k attributed words vs k random ones.

    For each description, its top title is explained; then the `k` known
    words with the largest weights (or `k` known words drawn at random) are
    deleted from what the encoder reads and the description–title cosine is
    computed again. A faithful attribution loses more than chance.

    Parameters
    ----------
    estimator : TitlePredictor
        Fitted.
    descriptions : list of str
    ks : tuple of int, default=(1, 3, 5)
    random_state : int, default=0
    method : {"filters", "gradient"}, default="filters"
        The attribution to test (see `filter_attributions`).

    Returns
    -------
    dict of int to (float, float)
        ``{k: (mean cosine drop, attributed words deleted; mean drop, random words deleted)}``.
    """
    rng = np.random.default_rng(random_state)
    explanations = [estimator.explain(text, title, method=method)
                    for text, title in zip(descriptions, estimator.predict(descriptions))]
    titles = estimator._encode_titles([e.title for e in explanations])
    vocabulary, length = estimator.vocabulary_, estimator.description_length_
    encoder = estimator._description_encoder
    known = [[i for i, token in enumerate(e.tokens) if token in vocabulary] for e in explanations]
    results = {}
    for k in ks:
        kept = {"attributed": [], "random": []}
        for e, words in zip(explanations, known):
            top = sorted(words, key=lambda i: -e.weights[i])[:k]
            chance = rng.choice(words, size=min(k, len(words)), replace=False) if words else []
            for name, deleted in (("attributed", set(top)), ("random", set(chance))):
                kept[name].append([t for i, t in enumerate(e.tokens) if i not in deleted])
        drops = []
        for name in ("attributed", "random"):
            vectors = encoder(vocabulary.encode(kept[name], length))
            drops.append(float(np.mean([e.score for e in explanations] - np.sum(vectors * titles, axis=1))))
        results[k] = tuple(drops)
    return results


def explain_seq2seq(estimator, description, title):
    """`Seq2SeqTitlePredictor.explain`: the decoder's attention over the description while writing `title`.

    A word's weight is its attention averaged over the title's output steps
    (its words and the end token); the score is the title's log probability.
    """
    from ._seq2seq import BOS, EOS, UNK, attention_model
    from .preprocessing import normalize_title

    title, spans, ids = _read(estimator, description, title)
    title = normalize_title(title)
    index = {word: i for i, word in enumerate(estimator.title_words_)}
    targets = [index.get(word, UNK) for word in title.split()[: estimator.title_length_ - 1]] + [EOS]
    decoder_ids = np.zeros((1, estimator.title_length_), dtype=np.int32)
    decoder_ids[0, : len(targets)] = [BOS] + targets[:-1]
    if "_attention" not in estimator.__dict__:
        estimator._attention = attention_model(estimator.network_)
    attention, log_probabilities = estimator._attention(ids[None], decoder_ids)
    steps = len(targets)
    score = float(log_probabilities[0, np.arange(steps), targets].sum())
    return _explanation(estimator, description, spans, attention[0, :steps].mean(axis=0), title, score, "attention")
