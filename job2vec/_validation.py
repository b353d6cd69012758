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


# ---------------------------------------------------------------- parameter constraints
# Each estimator declares ``_parameter_constraints = {name: [Rule, ...]}`` (a value passes
# when any rule accepts it), checked at the start of `fit` by `validate_params`, in the
# way scikit-learn's own estimators declare theirs.


class Rule:
    """A named test of a parameter value: `describe` completes "must be ...".

    Parameters
    ----------
    describe : str
        What an accepted value is, e.g. ``"an integer >= 1"``.
    accepts : callable
        ``accepts(value) -> bool``.
    error : type, default=ValueError
        Raised when no rule of a parameter accepts its value.
    """

    def __init__(self, describe, accepts, error=ValueError):
        self.describe = describe
        self.accepts = accepts
        self.error = error


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def integer(low=1):
    """An integer ``>= low`` (not a bool)."""
    return Rule(f"an integer >= {low}", lambda v: _is_int(v) and v >= low)


def even_integer(low=2, why=""):
    """An even integer ``>= low``."""
    return Rule(f"an even integer >= {low}{why}", lambda v: _is_int(v) and v >= low and v % 2 == 0)


def real(low, high=float("inf"), *, closed="left"):
    """A number in the interval ``low .. high``; `closed` is "left", "right", "both" or "neither"."""
    left, right = closed in ("left", "both"), closed in ("right", "both")
    shown = f"{'[' if left else '('}{low}, {high}{']' if right else ')'}"

    def accepts(v):
        return (_is_real(v) and np.isfinite(v) and (v >= low if left else v > low)
                and (v <= high if right else v < high))

    describe = f"a number > {low}" if (high == float("inf") and not left) else f"a number in {shown}"
    if high == float("inf") and left:
        describe = f"a number >= {low}"
    return Rule(describe, accepts)


def one_of(*values):
    """One of `values`."""
    return Rule(f"one of {list(values)!r}", lambda v: any(v is x or (type(v) is type(x) and v == x) for x in values))


def instance_of(*types, describe):
    """An instance of `types`; a wrong type raises TypeError."""
    return Rule(describe, lambda v: isinstance(v, types), error=TypeError)


def ordered_pair(element):
    """A pair ``(low, high)`` of values that `element` accepts, with ``low <= high``."""
    def accepts(v):
        return (isinstance(v, (tuple, list)) and len(v) == 2 and all(element.accepts(x) for x in v)
                and v[0] <= v[1])

    return Rule(f"a pair (low, high) with low <= high, each {element.describe}", accepts)


def non_empty_tuple_of(element):
    """A non-empty tuple or list of values that `element` accepts."""
    return Rule(f"a non-empty tuple, each item {element.describe}",
                lambda v: isinstance(v, (tuple, list)) and len(v) > 0 and all(element.accepts(x) for x in v))


def validate_params(estimator):
    """Check every parameter of `estimator` against its ``_parameter_constraints``.

    Raises
    ------
    ValueError or TypeError
        Naming the estimator, the parameter, what it must be and what it got.
    """
    params = estimator.get_params(deep=False)
    for name, rules in estimator._parameter_constraints.items():
        value = params[name]
        if not any(rule.accepts(value) for rule in rules):
            expected = " or ".join(rule.describe for rule in rules)
            raise rules[0].error(f"{type(estimator).__name__}: {name} must be {expected}, got {value!r}.")


N_JOBS = [Rule("None", lambda v: v is None),
          Rule("a non-zero integer (-1: all processors)", lambda v: _is_int(v) and v != 0)]
RANDOM_STATE = [Rule("None", lambda v: v is None), integer(0),
                instance_of(np.random.RandomState, describe="a numpy RandomState")]


def string_input_tags(tags):
    """Tags of an estimator that takes 1-D text input and needs `y`."""
    tags.input_tags.two_d_array = False
    tags.input_tags.string = True
    tags.target_tags.required = True
    return tags


def stateless_text_tags(tags):
    """Tags of a transformer of 1-D text input that learns nothing."""
    tags.input_tags.two_d_array = False
    tags.input_tags.string = True
    tags.requires_fit = False
    return tags
