"""Maps of job2vec neighbourhoods (the JOAPS paper's Figures 3 and 4) and training curves.

Matplotlib is an optional dependency (``pip install job2vec[plot]``). Every
function draws on the Axes it is given (or on a new figure) and returns the
Axes; nothing here calls ``plt.show()``.
"""

import numpy as np

__all__ = ["plot_neighbours", "plot_training"]

METHODS = ("pca", "umap")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("job2vec.plotting needs matplotlib: pip install 'job2vec[plot]'.") from exc
    return plt


def _title_vectors(embedder, titles):
    """Title vectors of any fitted embedder: JOAPS models encode titles; the others' transform does."""
    encode = getattr(embedder, "_encode_titles", None)
    return np.asarray(encode(titles) if encode is not None else embedder.transform(titles))


def _project(vectors, method, random_state):
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=random_state).fit_transform(vectors)
    try:
        import umap
    except ImportError as exc:
        raise ImportError("method='umap' needs the umap-learn package: pip install umap-learn.") from exc
    return umap.UMAP(n_components=2, n_neighbors=min(15, len(vectors) - 1), random_state=random_state
                     ).fit_transform(vectors)


def plot_neighbours(embedder, title, topn=10, ax=None, method="pca", compare=None, random_state=0):
    """Draw `title` and its `topn` closest fitted titles in 2-D, as the paper's Figures 3-4.

    Parameters
    ----------
    embedder : fitted estimator with ``most_similar``
        `JoapsEmbedder`, `TitlePredictor` or `Word2VecSumEmbedder`.
    title : str
        Any title; it need not be a fitted one.
    topn : int, default=10
    ax : matplotlib Axes, or a pair of them with `compare`, default=None
        Where to draw; None makes a new figure.
    method : {"pca", "umap"}, default="pca"
        The 2-D projection of the title and its neighbours (PCA like the
        paper; UMAP needs ``umap-learn``).
    compare : fitted estimator with ``most_similar`` or None, default=None
        A second embedder (e.g. the word2vec-sum baseline) drawn beside the
        first, for the paper's side-by-side.
    random_state : int, default=0

    Returns
    -------
    matplotlib Axes, or an array of two with `compare`
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}.")
    plt = _pyplot()
    embedders = [embedder] if compare is None else [embedder, compare]
    if ax is None:
        _, ax = plt.subplots(1, len(embedders), figsize=(6.5 * len(embedders), 5.5), squeeze=False)
        ax = ax[0]
    axes = np.atleast_1d(ax)
    if len(axes) != len(embedders):
        raise ValueError(f"ax must hold {len(embedders)} Axes, got {len(axes)}.")
    for model, axis in zip(embedders, axes):
        neighbours = model.most_similar(title, topn=topn)
        labels = [title] + [name for name, _ in neighbours]
        points = _project(_title_vectors(model, labels), method, random_state)
        axis.scatter(points[1:, 0], points[1:, 1], s=30, color="tab:blue")
        axis.scatter(points[:1, 0], points[:1, 1], s=90, marker="*", color="tab:red")
        for (x, y), label, score in zip(points, labels, [None] + [s for _, s in neighbours]):
            text = label if score is None else f"{label} ({score:.2f})"
            axis.annotate(text, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=8,
                          fontweight="bold" if score is None else "normal")
        axis.set_title(f"{type(model).__name__}: nearest titles of {title!r} ({method.upper()})", fontsize=9)
        axis.margins(0.25, 0.1)  # room for the labels
        axis.set_xticks([])
        axis.set_yticks([])
    return axes if compare is not None else axes[0]


def plot_training(history, ax=None):
    """Loss, violation ratio and batch size per epoch (from ``history_``).

    Parameters
    ----------
    history : dict of list, or a fitted estimator with ``history_``
    ax : array of 3 matplotlib Axes or None, default=None

    Returns
    -------
    ndarray of 3 matplotlib Axes
    """
    history = getattr(history, "history_", history)
    if not isinstance(history, dict) or not history.get("loss"):
        raise ValueError("history must be a fitted estimator's history_ (a dict with a 'loss' list).")
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(1, 3, figsize=(13, 3.5))
    axes = np.atleast_1d(ax)
    if len(axes) != 3:
        raise ValueError(f"ax must hold 3 Axes, got {len(axes)}.")
    epochs = np.arange(1, len(history["loss"]) + 1)
    panels = [("loss", ["loss", "val_loss"]), ("violation ratio", ["violation_ratio", "val_violation_ratio"]),
              ("batch size", ["batch_size", "final_batch_size"])]
    for axis, (name, keys) in zip(axes, panels):
        for key in keys:
            if history.get(key):
                axis.plot(epochs[: len(history[key])], history[key], marker="o", label=key)
        axis.set_xlabel("epoch")
        axis.set_title(name)
        if axis.lines:
            axis.legend(fontsize=8)
    return axes
