"""Ranking channels of `TitlePredictor`: the evidence beside the description→title cosine.

A candidate title's score for a description is

    cos(d, t) + w_prior * log p(t) + w_neighbours * votes_learned(d, t) + w_lexical * votes_tfidf(d, t)
              + w_mention * mention(d, t)

- the cosine is the paper's ranking (JOAPS: description encoder vs title encoder);
- ``log p(t)``: the add-one smoothed title frequency of the fit data;
- ``votes(d, t)``: the summed similarities of the ``n_neighbors`` training
  descriptions nearest to ``d`` whose title is ``t``, in the learned
  description space (semantic neighbours) or in TF-IDF space over the same
  tokens (lexical neighbours: a hybrid sparse + dense ranking);
- ``mention(d, t)``: the share of the title's words, weighted by IDF, that
  the description contains ("We are hiring a Payroll Specialist ..."). It
  needs no training description with the title, so it also ranks candidates
  from `set_candidates`.

The weights are chosen on the early-stopping validation pairs, whose
descriptions are left out of the neighbour index while choosing
(`choose_on_validation`). The best weights of the grid replace the
`REFERENCE_WEIGHTS` only when they rank those pairs better by more than one
standard error: a small split (EMSCAD's had 19-25 usable pairs) otherwise
picks its weights partly by chance.
"""

import itertools
import threading

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from ._persistence import pack_words, unpack_words
from ._ranking import row_chunks, top_k_indices

CHANNELS = ("prior", "neighbours", "lexical", "mention")
# The weights tried for each channel when chosen on the validation split.
WEIGHT_GRID = {
    "prior": (0.0, 0.01, 0.02, 0.05, 0.1, 0.2),
    "neighbours": (0.0, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "lexical": (0.0, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "mention": (0.0, 0.1, 0.3, 1.0, 3.0),
}
# Kept unless the validation split shows better weights beyond its noise: the cosine and the
# two lexical channels at equal weight, the prior and the learned neighbours off.
REFERENCE_WEIGHTS = {"prior": 0.0, "neighbours": 0.0, "lexical": 1.0, "mention": 1.0}
RANKINGS = {  # the channels each `ranking` may use besides the cosine
    "cosine": ("prior",),
    "neighbours": ("prior", "neighbours"),
    "hybrid": ("prior", "neighbours", "lexical", "mention"),
}
_SIMILARITY_BUDGET = 2**25  # query rows x indexed rows scored at once (128 MiB of float32)
# Sparse similarities: words in this share of the indexed rows or more go in a dense block of at most
# _DENSE_BUDGET values (64 MiB of float32), used from _DENSE_FROM_ROWS queries at once (fewer read
# the whole block for little work, and the sparse product alone is faster).
_DENSE_WORD_SHARE = 0.05
_DENSE_BUDGET = 2**24
_DENSE_FROM_ROWS = 8
# `sparse_product` multiplies by blocks of queries from this many multiply-adds per entry of its result
# (LinkedIn 2024: 1.08-1.25, where blocks are faster; EMSCAD 0.41-0.79 and O*NET 0.02-0.10, where the
# sparse product is), and these many queries a block: the fastest on 2,000 LinkedIn test descriptions
# (8-32 against the TF-IDF index's rare words, 64-128 against the titles' words).
_BLOCKS_FROM_WORK = 1.0
_RARE_WORD_BLOCK = 16
_MENTION_BLOCK = 128
# While choosing weights, each query ranks only the columns some channel puts in its top this many.
_SHORTLIST = 50
# TF-IDF cosine from which a validation description counts as a repost of a training one
# (the same ad with small edits) and is left out of choosing the weights.
REPOST_SIMILARITY = 0.95
MAX_VALIDATION = 2000  # validation pairs used to choose the weights and the temperature
DEFAULT_TEMPERATURE = 0.05  # of predict_proba, when there is no validation split to fit it on


def log_prior(counts):
    """Add-one smoothed log frequency of each title."""
    return np.log((counts + 1.0) / (counts.sum() + len(counts)))


def identity_analyzer(tokens):
    """TF-IDF over token lists that `TextPreprocessor` already made."""
    return tokens


def fit_lexical_index(token_lists, counts=None):
    """A TF-IDF vectorizer over token lists (sublinear tf, words in at least 2 pairs) and their matrix.

    `counts` says how many pairs each text stands for (default: one each):
    document frequencies count pairs, as if each repeated text were given
    that many times, while the matrix holds each text once.
    """
    counts = np.ones(len(token_lists)) if counts is None else np.asarray(counts, dtype=np.float64)
    try:
        presence = CountVectorizer(analyzer=identity_analyzer, binary=True)
        document_frequency = counts @ presence.fit_transform(token_lists)
    except ValueError:  # no word at all
        return None, None
    kept = document_frequency >= 2
    if not kept.any():  # no word in two pairs: no lexical evidence
        return None, None
    vectorizer = LexicalVectorizer(analyzer=identity_analyzer, sublinear_tf=True, dtype=np.float32,
                                   vocabulary=presence.get_feature_names_out()[kept].tolist())
    vectorizer.fit(token_lists[:1])
    # TfidfVectorizer's smooth idf, over pairs.
    vectorizer.idf_ = np.log((1.0 + counts.sum()) / (1.0 + document_frequency[kept])) + 1.0
    return vectorizer, vectorizer.transform(token_lists)


class LexicalVectorizer(TfidfVectorizer):
    """`TfidfVectorizer` whose fixed vocabulary pickles as one string (`pack_words`).

    The vocabulary is a list of words, and the fitted ``vocabulary_`` the
    same words as a dict: for the LinkedIn model, 78,971 words twice, 0.47 s
    of joblib's load; packed, 0.01 s.
    """

    def __getstate__(self):
        state = dict(super().__getstate__())
        words = state.get("vocabulary")
        packed = pack_words(words) if isinstance(words, list) and "vocabulary_" in state else None
        if packed is not None and state["vocabulary_"] == dict(zip(words, range(len(words)))):
            del state["vocabulary"], state["vocabulary_"]
            state["packed_vocabulary"] = packed
        return state

    def __setstate__(self, state):
        if "packed_vocabulary" in state:
            state = dict(state)
            words = unpack_words(state.pop("packed_vocabulary"))
            state.update(vocabulary=words, vocabulary_=dict(zip(words, range(len(words)))))
        super().__setstate__(state)


def title_count_matrix(text_rows, groups, n_texts, n_titles):
    """How many pairs give each description text each title: sparse, (n_texts, n_titles), float32.

    A neighbour index holds each distinct text once, with these counts
    (`neighbour_votes`): a repost costs one row and still votes as often as
    it occurs.
    """
    ones = np.ones(len(text_rows), dtype=np.float32)
    return sparse.csr_matrix((ones, (text_rows, groups)), shape=(n_texts, n_titles))  # repeats are summed


def title_word_weights(title_tokens, vectorizer):
    """Each title's distinct words as IDF weights over `vectorizer`'s vocabulary, a row summing to 1 over all its words.

    A word the vocabulary lacks weighs as the rarest word does, so a title
    with words the fit descriptions never use is never fully mentioned.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_titles, n_words), float32
    """
    vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
    rows, columns, weights = [], [], []
    for row, tokens in enumerate(title_tokens):
        words = set(tokens)
        known = [vocabulary[w] for w in words if w in vocabulary]
        total = idf[known].sum() + idf.max() * (len(words) - len(known))
        rows += [row] * len(known)
        columns += known
        weights += list(idf[known] / total) if known else []
    return sparse.csr_matrix((weights, (rows, columns)), shape=(len(title_tokens), len(idf)), dtype=np.float32)


def mention_scores(queries, title_words):
    """The share of each title's weighted words (`title_word_weights`) that each query contains, dense.

    `queries` holds the descriptions in the lexical vectorizer's space; only
    which words are present counts.
    """
    present = queries.astype(bool).astype(np.float32)
    # No copy for the CSC matrix the predictor keeps.
    return sparse_product(present, title_words.T.tocsr(), _MENTION_BLOCK)


def sparse_product(queries, by_word, block):
    """``queries @ by_word`` as a dense array; `by_word` is CSR, one row per word.

    SciPy's sparse product builds its result as a sparse matrix, then
    converts it. When the product has at least as many multiply-adds as its
    result has entries (long job ads against a large index: the result is
    then mostly nonzero), each block of `block` queries, as dense rows over
    the block's own words, is multiplied by those words' rows instead: the
    same sums, 1.1 to 2 times faster on LinkedIn 2024. Shorter texts
    (O*NET's task statements), small indexes and fewer than
    `_DENSE_FROM_ROWS` queries keep the sparse product, faster there.
    """
    n_queries, n_columns = queries.shape[0], by_word.shape[1]
    work = np.diff(by_word.indptr)[queries.indices].sum()
    if n_queries < _DENSE_FROM_ROWS or work < _BLOCKS_FROM_WORK * n_queries * n_columns:
        return (queries @ by_word).toarray()
    products = np.empty((n_queries, n_columns), dtype=np.result_type(queries.dtype, by_word.dtype))
    for rows in row_chunks(n_queries, block):
        part = queries[rows]
        words = np.unique(part.indices)
        products[rows] = part[:, words].toarray() @ by_word[words]
    return products


def nearest_similarity(queries, index):
    """Each query's highest similarity (row dot product) to a row of `index`, as float32."""
    best = np.zeros(queries.shape[0], dtype=np.float32)
    if index.shape[0] == 0:
        return best
    for rows in row_chunks(queries.shape[0], max(1, _SIMILARITY_BUDGET // index.shape[0])):
        similarities = queries[rows] @ index.T
        best[rows] = (similarities.max(axis=1).toarray().ravel() if sparse.issparse(similarities)
                      else np.asarray(similarities).max(axis=1))
    return best


class NeighbourIndex:
    """Indexed descriptions that vote for their titles: what `neighbour_votes` needs, prepared once.

    Parameters
    ----------
    index : ndarray or sparse matrix of shape (n_index, n_features)
        Unit row vectors of the indexed descriptions.
    index_titles : sparse matrix of shape (n_index, n_titles)
        How many fit pairs give each indexed description each title
        (`title_count_matrix`). A description no pair gives (outside the
        training part) is left out of the index.
    """

    def __init__(self, index, index_titles):
        copies = np.asarray(index_titles.sum(axis=1)).ravel()
        if not copies.all():
            kept = np.flatnonzero(copies)
            index, index_titles, copies = index[kept], index_titles[kept], copies[kept]
        # The transpose in CSR form, so that a CSR query matrix multiplies it without a conversion.
        self.transposed = index.T.tocsr() if sparse.issparse(index) else index.T
        self.copies = copies
        self.shares = (sparse.diags(1.0 / copies) @ index_titles).tocsr()  # a description's vote, split by title
        self._split, self._splitting = None, threading.Lock()  # built on first use, once for all threads

    def similarities(self, queries):
        """Dot products of the query rows with the indexed rows, dense (n_queries, n_index).

        A sparse product costs the sum of the query words' document
        frequencies, and on job ads a few hundred common words make most of
        it. For many queries at once, the words in at least
        `_DENSE_WORD_SHARE` of the indexed descriptions are multiplied as
        dense matrices (BLAS) and only the others sparsely (`sparse_product`):
        the same sums up to float rounding, 6 to 7 times faster than SciPy's
        sparse product alone on the LinkedIn 2024 index (2,000 test
        descriptions: 1.55-1.70 s against 10.9-11.0 s).
        """
        if not sparse.issparse(self.transposed):
            return np.asarray(queries @ self.transposed)
        if queries.shape[0] < _DENSE_FROM_ROWS:
            # The rows of the queries' words, times the queries as dense rows: about 40% faster than
            # the sparse product, whose result (nearly dense) it builds as a sparse matrix first.
            words = np.unique(queries.indices)
            return np.asarray(queries[:, words].toarray() @ self.transposed[words])
        with self._splitting:
            if self._split is None:
                self._split = _split_frequent_words(self.transposed)
        frequent_words, frequent, other_words, others = self._split
        similarities = sparse_product(queries[:, other_words], others, _RARE_WORD_BLOCK)
        if len(frequent_words):
            similarities += queries[:, frequent_words].toarray() @ frequent
        return similarities

    def votes(self, queries, n_neighbors):
        """Summed similarities of each query's `n_neighbors` nearest fit pairs, per title (see `neighbour_votes`)."""
        n_index = len(self.copies)
        n_neighbors = min(n_neighbors, int(self.copies.sum()))
        n_nearest = min(n_neighbors, n_index)
        blocks = []
        for rows in row_chunks(queries.shape[0], max(1, _SIMILARITY_BUDGET // max(n_index, 1))):
            similarities = self.similarities(queries[rows])
            nearest = top_k_indices(similarities, n_nearest)
            weights = np.maximum(np.take_along_axis(similarities, nearest, axis=1), 0.0)
            # Best first, each description takes as many of the places as it has pairs.
            taken = self.copies[nearest]
            weights *= np.clip(n_neighbors - (np.cumsum(taken, axis=1) - taken), 0, taken).astype(weights.dtype)
            chunk_rows = np.repeat(np.arange(len(nearest)), n_nearest)
            nearest_weights = sparse.csr_matrix((weights.ravel(), (chunk_rows, nearest.ravel())),
                                                shape=(len(nearest), n_index), dtype=weights.dtype)
            blocks.append((nearest_weights @ self.shares).astype(weights.dtype))
        return blocks[0] if len(blocks) == 1 else sparse.vstack(blocks, format="csr")


def _split_frequent_words(transposed):
    """A sparse index's words (rows of `transposed`) split into frequent ones, as a dense block, and the others.

    Frequent: in at least `_DENSE_WORD_SHARE` of the indexed rows, the most
    frequent first, at most `_DENSE_BUDGET` dense values in all.

    Returns
    -------
    frequent_words : ndarray of int
    frequent : ndarray of shape (n_frequent, n_index)
    other_words : ndarray of int
    others : scipy.sparse.csr_matrix of shape (n_others, n_index)
    """
    n_words, n_index = transposed.shape
    frequency = np.diff(transposed.indptr)
    most = np.argsort(-frequency, kind="stable")[:_DENSE_BUDGET // max(n_index, 1)]
    frequent_words = np.sort(most[frequency[most] >= _DENSE_WORD_SHARE * n_index])
    is_frequent = np.zeros(n_words, dtype=bool)
    is_frequent[frequent_words] = True
    other_words = np.flatnonzero(~is_frequent)
    return frequent_words, transposed[frequent_words].toarray(), other_words, transposed[other_words]


def neighbour_votes(queries, index, index_titles, n_neighbors):
    """Summed similarities of each query's `n_neighbors` nearest fit pairs, per title.

    Parameters
    ----------
    queries, index : ndarray or sparse matrix
        Row vectors (unit norm) of the queries and of the indexed descriptions.
    index_titles : sparse matrix of shape (n_index, n_titles)
        How many fit pairs give each indexed description each title
        (`title_count_matrix`). The nearest descriptions fill the
        `n_neighbors` places with as many pairs as they have; a description's
        vote goes to its titles in proportion to their counts.
    n_neighbors : int

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_queries, n_titles)
        In the similarities' dtype.

    See Also
    --------
    NeighbourIndex : The same index prepared once, for many queries.
    """
    return NeighbourIndex(index, index_titles).votes(queries, n_neighbors)


def weighted_sum(channels, weights):
    """Sum of ``weights[name] * channels[name]`` in float32, in the order of `channels`; zero weights skipped.

    A channel may be a row (n_columns,) that broadcasts over the queries; the
    result is a new array.
    """
    names = list(channels)
    scores = np.zeros(np.broadcast_shapes(*(np.shape(channels[n]) for n in names)), dtype=np.float32)
    for name in names:
        weight = weights.get(name, 0.0)
        if weight:
            scores += channels[name] if weight == 1.0 else np.float32(weight) * channels[name]
    return scores


def combine(cosines, weights, log_prior_row, votes):
    """The ranking score: cosines plus each weighted channel (`votes` maps channel name to a dense array)."""
    return weighted_sum({"cosine": cosines, "prior": log_prior_row, **votes}, {"cosine": 1.0, **weights})


def shortlist(channels, per_channel=_SHORTLIST):
    """Per query, the columns that some channel ranks in its top `per_channel`, and each channel there.

    A column outside every channel's shortlist is behind `per_channel`
    columns in each channel, so it almost never reaches a weighted sum's top
    10; ranking the shortlist only makes trying many weights cheap.

    Returns
    -------
    columns : ndarray of int (n_queries, width)
        Sorted; a column a second channel also listed appears again.
    shortlisted : dict of str to ndarray (n_queries, width)
        Each channel's scores of `columns`.
    repeat : ndarray of bool (n_queries, width)
        Where `columns` repeats the column before it (to rank it once).
    """
    n_queries = max(np.shape(values)[0] for values in channels.values() if np.ndim(values) == 2)
    parts = []
    for values in channels.values():
        top = top_k_indices(np.atleast_2d(values), per_channel)
        parts.append(np.broadcast_to(top, (n_queries, top.shape[1])))
    columns = np.sort(np.concatenate(parts, axis=1), axis=1)
    repeat = np.zeros(columns.shape, dtype=bool)
    repeat[:, 1:] = columns[:, 1:] == columns[:, :-1]
    shortlisted = {name: (values[columns] if np.ndim(values) == 1 else np.take_along_axis(values, columns, axis=1))
                   for name, values in channels.items()}
    return columns, shortlisted, repeat


def best_weights(channels, truth, grid, reference=None):
    """The weights of `grid` with the best mean validation Top-1/5/10, over rows and per true column.

    Each weighting ranks the queries' `shortlist` of columns. With a
    `reference`, the best weights are returned only if their quality exceeds
    the reference's by more than one standard error of the paired
    difference over the queries; otherwise the reference is.

    Parameters
    ----------
    channels : dict of str to ndarray (n_validation, n_columns)
        Each channel's scores (a row broadcasts).
    truth : ndarray of int (n_validation,)
        Each validation query's true column.
    grid : dict of str to tuple of float
        Weights to try per channel; a channel missing from `grid` keeps 0.
    reference : dict of str to float or None
        The weights kept unless beaten beyond noise; a channel whose
        reference value is not in `grid` takes the grid's first value.

    Returns
    -------
    dict of str to float
        Ties go to the first in grid order (the smallest weights).
    """
    names = list(grid)
    columns, shortlisted, repeat = shortlist(channels)
    is_truth = columns == truth[:, None]
    _, per_column = np.unique(truth, return_inverse=True)
    column_sizes = np.bincount(per_column)
    # Each query's share of the quality: its hits count once in the mean over rows and once,
    # divided by its column's size, in the mean over columns.
    share = 1.0 / len(truth) + 1.0 / (len(column_sizes) * column_sizes[per_column])
    if reference is not None:
        reference = {name: reference.get(name, 0.0) for name in names}
        reference = {name: value if value in grid[name] else grid[name][0] for name, value in reference.items()}
    best, best_weights_, best_terms, reference_terms = -np.inf, None, None, None
    for values in itertools.product(*(grid[name] for name in names)):
        weights = dict(zip(names, values))
        if not any(weights.values()):
            continue
        scores = weighted_sum(shortlisted, weights)
        scores[repeat] = -np.inf
        top = top_k_indices(scores, 10)
        ranks = np.take_along_axis(is_truth, top, axis=1)
        terms = share * sum(ranks[:, :k].any(axis=1) for k in (1, 5, 10))
        quality = terms.sum()
        if quality > best + 1e-12:
            best, best_weights_, best_terms = quality, weights, terms
        if weights == reference:
            reference_terms = terms
    if reference_terms is not None:
        difference = best_terms - reference_terms
        noise = np.sqrt(len(difference)) * difference.std(ddof=1) if len(difference) > 1 else np.inf
        if difference.sum() <= noise:
            best_weights_ = reference
    return {name: float(best_weights_.get(name, 0.0)) for name in channels}


def choose_weights(cosines, truth, log_prior_row, votes, grid):
    """The channel weights with the best mean validation Top-1/5/10, over rows and per title, if beyond noise.

    The best replaces `REFERENCE_WEIGHTS` (restricted to `grid`'s channels)
    only when it beats it by more than one standard error (`best_weights`).

    Parameters
    ----------
    cosines : ndarray (n_validation, n_titles)
    truth : ndarray of int (n_validation,)
        Each validation pair's title column.
    log_prior_row : ndarray (n_titles,)
    votes : dict of str to ndarray (n_validation, n_titles)
    grid : dict of str to tuple of float
        Weights to try per channel; a channel missing from `grid` keeps 0.

    Returns
    -------
    dict of str to float
    """
    weights = best_weights({"cosine": cosines, "prior": log_prior_row, **votes}, truth, {"cosine": (1.0,), **grid},
                           reference={"cosine": 1.0, **REFERENCE_WEIGHTS})
    return {name: weights.get(name, 0.0) for name in CHANNELS}


def softmax(scores, temperature):
    """Row-wise softmax of `scores / temperature`."""
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


def expected_calibration_error(confidence, correct, n_bins=15):
    """ECE of top-1 predictions: the bin-weighted gap between confidence and accuracy."""
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    gaps = np.abs(np.bincount(bins, weights=confidence, minlength=n_bins)
                  - np.bincount(bins, weights=correct.astype(float), minlength=n_bins))
    return float(gaps.sum() / max(counts.sum(), 1))


def fit_temperature(scores, truth, temperatures=np.geomspace(0.002, 2.0, 61)):
    """The softmax temperature with the least validation log loss, and its top-1 calibration error.

    Parameters
    ----------
    scores : ndarray (n_validation, n_titles)
        Ranking scores of the validation descriptions.
    truth : ndarray of int (n_validation,)
        Each one's true title column.

    Returns
    -------
    temperature : float
    calibration_error : float
        Expected calibration error (15 bins) of the top-1 probability at that temperature.
    """
    rows = np.arange(len(truth))
    losses = [-np.log(np.maximum(softmax(scores, t)[rows, truth], 1e-12)).mean() for t in temperatures]
    temperature = float(temperatures[int(np.argmin(losses))])
    probabilities = softmax(scores, temperature)
    correct = probabilities.argmax(axis=1) == truth
    return temperature, expected_calibration_error(probabilities.max(axis=1), correct)


def fixed_weights(grid, rankings):
    """The one weighting of a `grid` of single values, for each of `rankings`; no temperature is fitted."""
    fixed = {name: float(grid.get(name, (0.0,))[0]) for name in CHANNELS}
    chosen = {name: {c: (w if c in RANKINGS[name] else 0.0) for c, w in fixed.items()} for name in rankings}
    return chosen, DEFAULT_TEMPERATURE, float("nan")


def choose_on_validation(split, grid, rankings, *, title_vectors, description_vectors, encode, lexical_matrix,
                         title_words, n_neighbors):
    """For each of `rankings`, the weights of `grid` that rank the validation pairs of `split` best.

    The prior and the neighbour indexes hold the training part only, so a
    validation pair gets no help from its own description or title count.
    The candidates are the titles of the training part, and only pairs with
    one of them count: otherwise a pair's own one-off title, fitted but in no
    training pair, would be a candidate and reward the channels that find it
    (the cosine, the mention). Validation descriptions that are reposts of a
    training one (TF-IDF cosine >= `REPOST_SIMILARITY`) are left out too: new
    postings have no such twin, and with them the lexical channels would look
    stronger than they are.

    Parameters
    ----------
    split : FitSplit
        The fit's pairs, training and validation rows (see `JoapsBase._fit`);
        without validation rows nothing is chosen.
    grid : dict of str to tuple of float
        Weights to try per channel.
    rankings : list of str
        The rankings (keys of `RANKINGS`) to choose weights for.
    title_vectors : ndarray (n_titles, h)
        The fitted titles' vectors; the titles are the pairs' groups.
    description_vectors : ndarray (n_texts, h) or None
        The vectors of the distinct description texts of `split` (None:
        computed by `encode` as needed).
    encode : callable
        Description ids -> unit vectors.
    lexical_matrix : sparse matrix (n_texts, n_words) or None
        The distinct texts in TF-IDF space.
    title_words : sparse matrix (n_titles, n_words) or None
        The mention channel's title side (`title_word_weights`).
    n_neighbors : int

    Returns
    -------
    weights : dict of str to dict
        ``{ranking: {channel: weight}}``.
    temperature, calibration_error : float
        `predict_proba`'s temperature fitted on the same validation scores,
        and its calibration error.
    """
    # Without a validation pair to choose on: the cosine and a fixed prior (0 unless given) only.
    cosine_and_prior = {"prior": grid["prior"] if len(grid["prior"]) == 1 else (0.0,)}
    if split.validation_rows is None:
        return fixed_weights(cosine_and_prior, rankings)
    if all(len(values) == 1 for values in grid.values()):
        return fixed_weights(grid, rankings)
    train, held_out = split.train_rows, split.validation_rows[:MAX_VALIDATION]
    groups = split.groups[train]
    seen = np.bincount(groups, minlength=len(title_vectors)) > 0
    kept = seen[split.groups[held_out]] & ~_reposts(split, held_out, lexical_matrix)
    if not kept.any():
        return fixed_weights(cosine_and_prior, rankings)
    held_out = held_out[kept]
    queries = split.description_rows[held_out]  # rows of the distinct texts
    column = np.cumsum(seen) - 1  # title index -> candidate column
    vectors = (description_vectors[queries] if description_vectors is not None
               else encode(split.description_ids[queries]))
    n_candidates, candidate_groups = int(seen.sum()), column[groups]
    # The training part's pairs only: the validation descriptions hold no place.
    index_titles = title_count_matrix(split.description_rows[train], candidate_groups,
                                      len(split.description_tokens), n_candidates)
    votes = {}
    if "neighbours" in grid:
        votes["neighbours"] = neighbour_votes(vectors, description_vectors, index_titles, n_neighbors).toarray()
    if "lexical" in grid:
        votes["lexical"] = neighbour_votes(lexical_matrix[queries], lexical_matrix, index_titles,
                                           n_neighbors).toarray()
    if "mention" in grid:
        votes["mention"] = mention_scores(lexical_matrix[queries], title_words[seen])
    prior = log_prior(np.bincount(candidate_groups, minlength=n_candidates)).astype(np.float32)
    cosines, truth = vectors @ title_vectors[seen].T, column[split.groups[held_out]]
    chosen = {name: choose_weights(cosines, truth, prior, votes, {c: v for c, v in grid.items()
                                                                 if c in RANKINGS[name]})
              for name in rankings}
    temperature, calibration_error = fit_temperature(combine(cosines, chosen[rankings[-1]], prior, votes), truth)
    return chosen, temperature, calibration_error


def _reposts(split, held_out, lexical_matrix):
    """Whether each `held_out` description has a training twin in TF-IDF space (a fit-time index if needed)."""
    if lexical_matrix is None:
        lexical_matrix = fit_lexical_index(split.description_tokens, pairs_per_text(split))[1]
        if lexical_matrix is None:  # no word in two descriptions: nothing is a repost
            return np.zeros(len(held_out), dtype=bool)
    training_texts = np.unique(split.description_rows[split.train_rows])
    return (nearest_similarity(lexical_matrix[split.description_rows[held_out]], lexical_matrix[training_texts])
            >= REPOST_SIMILARITY)


def pairs_per_text(split):
    """How many pairs of a `FitSplit` each distinct description text stands for."""
    return np.bincount(split.description_rows, minlength=len(split.description_tokens))
