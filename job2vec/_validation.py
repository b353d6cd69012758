"""Input checks shared by the estimators: clear errors instead of backend tracebacks."""

import numbers

import numpy as np


def _is_missing(item):
    if item is None:
        return True
    return isinstance(item, numbers.Real) and not isinstance(item, bool) and np.isnan(item)


def check_texts(X, name="X", allow_tokens=True):
    """Validate a 1-D collection of texts (or of token lists) and return it as a list.

    Parameters
    ----------
    X : list, tuple, numpy array or pandas Series
        Raw strings, or (when `allow_tokens`) lists of token strings, e.g. the
        output of `TextPreprocessor`.
    name : str
        Name used in error messages.
    allow_tokens : bool
        Accept lists of tokens as items.

    Returns
    -------
    list
        Items as ``str`` or as ``list`` of ``str``.

    Raises
    ------
    TypeError
        For a bare string, ``None``, a non-iterable, or items that are neither
        strings nor token lists.
    ValueError
        For empty input, a 2-D array, missing (None/NaN) or blank items.
    """
    if X is None:
        raise TypeError(f"{name} is None; expected a list of texts.")
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be a list of texts, not a single string; wrap it in a list: [{name}].")
    if hasattr(X, "ndim") and X.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one text per sample), got an array of shape {X.shape}.")
    if hasattr(X, "to_numpy"):  # pandas Series
        X = X.to_numpy(dtype=object)
    try:
        items = list(X)
    except TypeError:
        raise TypeError(f"{name} must be a list of texts, got {type(X).__name__}.") from None
    if not items:
        raise ValueError(f"{name} is empty; expected at least one text.")
    kinds = set()
    for i, item in enumerate(items):
        if _is_missing(item):
            raise ValueError(f"{name}[{i}] is missing (None or NaN); every sample needs a text.")
        if isinstance(item, str):
            if not item.strip():
                raise ValueError(f"{name}[{i}] is an empty text.")
            kinds.add("text")
        elif allow_tokens and isinstance(item, (list, tuple)) and all(isinstance(t, str) for t in item):
            items[i] = list(item)
            kinds.add("tokens")
        else:
            expected = "a string or a list of token strings" if allow_tokens else "a string"
            raise TypeError(f"{name}[{i}] is of type {type(item).__name__}; expected {expected}.")
    if len(kinds) > 1:
        raise TypeError(f"{name} mixes raw strings and token lists; pass one kind.")
    return items


def check_pairs(X, y, x_name="X", y_name="y"):
    """Validate two aligned text collections; return them as lists."""
    if y is None:
        raise TypeError(f"{y_name} is required: the texts paired with {x_name}.")
    X = check_texts(X, x_name)
    y = check_texts(y, y_name)
    if len(X) != len(y):
        raise ValueError(f"{x_name} and {y_name} have different lengths: {len(X)} and {len(y)}.")
    return X, y
