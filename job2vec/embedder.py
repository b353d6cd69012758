"""`JoapsEmbedder`: job2vec, the job-title embedding space learned by JOAPS."""

from sklearn.base import TransformerMixin

from ._base import FITTED_DOC, PARAMETERS_DOC, JoapsBase


class JoapsEmbedder(TransformerMixin, JoapsBase):
    __doc__ = f"""Embed job titles in job2vec, learned from their descriptions with JOAPS.

    A bidirectional GRU title encoder and a CNN description encoder over
    shared word vectors are trained jointly with the WOCR ranking loss, so
    that a title lands near the descriptions it is given to. `transform`
    then runs titles through the title encoder: titles never seen in `fit`
    work too.

    Read more in the :ref:`User Guide <method>`.

    Parameters
    ----------{PARAMETERS_DOC}
    Attributes
    ----------
    titles_ : ndarray of str
        The distinct normalized titles seen in `fit` (the search space of
        `most_similar`).
    title_vectors_ : ndarray of shape (n_titles, embedding_size)
        Their unit job2vec vectors.
{FITTED_DOC}

    See Also
    --------
    TitlePredictor : The same model, used to predict titles of descriptions.

    Examples
    --------
    >>> from job2vec import JoapsEmbedder
    >>> from job2vec.datasets import load_onet
    >>> onet = load_onet(kind="titles")
    >>> emb = JoapsEmbedder(epochs=1, random_state=0).fit(onet.target, onet.data)  # doctest: +SKIP
    >>> emb.transform(["geographer", "gis analyst"]).shape  # doctest: +SKIP
    (2, 100)
    """

    def fit(self, X, y, groups=None):
        """Learn job2vec from titles and their descriptions.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_pairs,)
            Job titles (what gets embedded).
        y : list, array or Series of str, shape (n_pairs,)
            The description of each title (the supervision).
        groups : array-like of shape (n_pairs,), default=None
            Pairs with the same group are never each other's in-batch
            negatives, e.g. the occupation code of a taxonomy's labels, whose
            synonyms share one description. By default, pairs with the same
            normalized title. Not with ``loss="warp"``.

        Returns
        -------
        self : JoapsEmbedder
        """
        self._fit(descriptions=y, titles=X, description_name="y", title_name="X", same_target=groups)
        return self

    def transform(self, X):
        """Embed titles in job2vec.

        Parameters
        ----------
        X : list, array or Series of str, shape (n_titles,)
            Job titles, seen in `fit` or not. A title none of whose words
            is known gets the zero vector.

        Returns
        -------
        ndarray of shape (n_titles, embedding_size)
            Unit-norm title vectors.
        """
        return self._encode_titles(X)
