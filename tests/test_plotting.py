"""Neighbourhood maps and training curves render off-screen (Agg) with the expected labels."""

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from job2vec.baselines import Word2VecSumEmbedder  # noqa: E402
from job2vec.plotting import plot_neighbours, plot_training  # noqa: E402


def labels(ax):
    return [text.get_text() for text in ax.texts]


def test_plot_neighbours_labels_the_title_and_its_neighbours(fitted_embedder, tmp_path):
    ax = plot_neighbours(fitted_embedder, "data engineer", topn=5)
    drawn = labels(ax)
    assert drawn[0] == "data engineer" and len(drawn) == 6
    expected = [f"{title} ({score:.2f})" for title, score in fitted_embedder.most_similar("data engineer", 5)]
    assert drawn[1:] == expected
    ax.figure.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 1000
    plt.close(ax.figure)


def test_plot_neighbours_side_by_side_with_the_word2vec_baseline(fitted_embedder, tasks):
    X, y = tasks
    baseline = Word2VecSumEmbedder(vector_size=16, min_count=2, random_state=0).fit(y, X)
    _, given = plt.subplots(1, 2)
    axes = plot_neighbours(fitted_embedder, "nurse", topn=4, ax=given, compare=baseline)
    assert len(axes) == 2 and list(axes) == list(given)
    assert "JoapsEmbedder" in axes[0].get_title() and "Word2VecSumEmbedder" in axes[1].get_title()
    assert all(labels(ax)[0] == "nurse" and len(labels(ax)) == 5 for ax in axes)
    plt.close("all")


def test_plot_neighbours_rejects_bad_arguments(fitted_embedder):
    with pytest.raises(ValueError, match="method"):
        plot_neighbours(fitted_embedder, "nurse", method="tsne")
    with pytest.raises(ValueError, match="title"):
        plot_neighbours(fitted_embedder, "")
    with pytest.raises(ValueError, match="2 Axes"):
        plot_neighbours(fitted_embedder, "nurse", ax=plt.subplots()[1], compare=fitted_embedder)
    plt.close("all")


def test_plot_training_draws_every_curve(fitted_predictor, tmp_path):
    axes = plot_training(fitted_predictor)
    assert [ax.get_title() for ax in axes] == ["loss", "violation ratio", "batch size"]
    assert [line.get_label() for line in axes[0].lines] == ["loss", "val_loss"]
    assert len(axes[0].lines[0].get_xdata()) == fitted_predictor.n_iter_
    axes[0].figure.savefig(tmp_path / "training.svg")
    assert (tmp_path / "training.svg").exists()
    with pytest.raises(ValueError, match="history"):
        plot_training({})
    plt.close("all")
