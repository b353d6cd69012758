"""Title cleaning: strip from a posting's title what is not the job.

Job boards decorate titles: ``"Linux Systems Engineer (m/f/d)"``, ``"Data
Analyst - Remote | WFH"``, ``"Senior Business Analyst - Atlanta, GA"``,
``"Urgent Need: Sr. Salesforce Developer"``, ``"EDW/ETL Developer - ***"``,
``"Java Engineer / Ref. 0003E"``. Each decoration makes one more distinct
title for the same job. `clean_title` removes them by explicit rules (below),
and `TitleCleaner` does it as a scikit-learn transformer. Neither is applied
for you: clean the titles (``y``) before `fit` if your data need it.

Rules, in order:

1. gender markers: ``(m/f/d)``, ``(m/w/d)``, ``(f/m/x)``, ``h/f``, ...;
2. masked or spelled-out pay: runs of ``*``, ``$60,000/year USD``, ``£25k``;
3. reference codes: ``Ref. 0615E``, ``Req #1234``, ``Job ID: AB-12``, ``#12345``;
4. urgency: ``Urgent``, ``Urgent need``, ``Urgently required``, ``Immediate
   interview``, repeated ``!``;
5. work mode anywhere: ``Remote``, ``Hybrid``, ``Onsite``, ``WFH``, ``Work from
   home``, ``Telecommute``, ``100% Remote``;
6. a trailing part after a separator (`` - ``, `` – ``, `` | ``, ``::``, `` @ ``, ``: ``)
   that is a place: ``City, ST`` (optionally a ZIP code) or a parenthesized
   ``(City, ST)``.

What is left is stripped of dangling separators and extra spaces. A title that
would become empty is returned unchanged.
"""

import re

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._validation import check_texts, stateless_text_tags

__all__ = ["clean_title", "TitleCleaner"]

_SEPARATORS = r"(?:\s[-–—|@]\s|\s*::+\s*|\s+ll\s+|\s*\|\s*)"
_RULES = [
    # 1. gender markers
    re.compile(r"\(?\s*\b[mwfhdx]\s*/\s*[mwfhdx](?:\s*/\s*[mwfhdx])?\b\s*\)?", re.IGNORECASE),
    # 2. pay, masked or not
    re.compile(r"\*+"),
    re.compile(r"[$£€]\s?\d[\d,.]*\s?[kK]?(?:\s?(?:-|to)\s?[$£€]?\d[\d,.]*\s?[kK]?)?"
               r"(?:\s?/\s?(?:year|yr|hour|hr|month|annum))?(?:\s?(?:USD|GBP|EUR))?", re.IGNORECASE),
    # 3. reference codes
    re.compile(r"\b(?:ref(?:erence)?|req(?:uisition)?|job\s?id)\b\.?\s*(?:no\.?|#|:)?\s*[\w-]*\d[\w-]*"
               r"(?:\s*\([^)]*\))?", re.IGNORECASE),
    re.compile(r"#\s?\d+"),
    # 4. urgency
    re.compile(r"\burgent(?:ly)?(?:\s+(?:need(?:ed)?|requirement(?:\s+for(?:\s+the\s+position)?)?|hire|hiring|"
               r"opening|position|required|needs))?\b\s*:*", re.IGNORECASE),
    re.compile(r"\(?\s*immediate\s+interview\s*\)?", re.IGNORECASE),
    re.compile(r"!+"),
    # 5. work mode
    re.compile(r"\(?\s*\b(?:100%\s*)?(?:remote(?:\s+(?:eligible|opportunity|first))?|hybrid(?:\s+from\s+day\s+1)?|"
               r"on-?site(?:\s+role)?|wfh|work\s+from\s+home|telecommut(?:e|ing))\b\s*\)?", re.IGNORECASE),
]
# 6. a trailing place after a separator: "City, ST" (+ ZIP), or "(City, ST)".
_TRAILING_PLACE = re.compile(r"(?:" + _SEPARATORS + r"|:\s)\(?[A-Z][A-Za-z .'-]+,\s*[A-Z]{2}(?:\s+\d{5})?\)?\s*$")
_PARENTHESIZED_PLACE = re.compile(r"\s*\([A-Z][A-Za-z .'-]+,\s*[A-Z]{2}\)\s*$")
_DANGLING = re.compile(r"^(?:\s*(?:[-–—|@:/,]|ll\b)\s*)+|(?:\s*(?:[-–—|@:/,(]|ll\b)\s*)+$")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SEPARATOR_RUNS = re.compile(r"(?:\s+(?:[-–—|/]|::+)(?=\s)){2,}")
_SPACES = re.compile(r"\s+")


def clean_title(title):
    """Remove gender markers, pay, reference codes, urgency, work mode and trailing places from a title.

    Parameters
    ----------
    title : str
        A job title as posted.

    Returns
    -------
    str
        The cleaned title (case kept); the title itself if cleaning would
        leave nothing.

    Examples
    --------
    >>> from job2vec.cleaning import clean_title
    >>> clean_title("Linux Systems Engineer (m/f/d)")
    'Linux Systems Engineer'
    >>> clean_title("Data Engineer - Remote | WFH")
    'Data Engineer'
    >>> clean_title("Senior Business Analyst - Atlanta, GA")
    'Senior Business Analyst'
    >>> clean_title("Urgent Need: Sr. Salesforce Developer")
    'Sr. Salesforce Developer'
    """
    if not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}.")
    text = title
    for rule in _RULES:
        text = rule.sub(" ", text)
    text = _EMPTY_BRACKETS.sub(" ", _SPACES.sub(" ", text)).strip()
    text = _PARENTHESIZED_PLACE.sub("", _TRAILING_PLACE.sub("", text))
    text = _SEPARATOR_RUNS.sub(" - ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _DANGLING.sub("", text).strip()
    return text if text else title.strip()


class TitleCleaner(TransformerMixin, BaseEstimator):
    """`clean_title` as a scikit-learn transformer (stateless).

    Use it on the titles (``y``) before `fit`; a `Pipeline` only transforms
    ``X``::

        y_clean = TitleCleaner().fit_transform(y)
        TitlePredictor().fit(descriptions, y_clean)

    Examples
    --------
    >>> from job2vec.cleaning import TitleCleaner
    >>> TitleCleaner().fit_transform(["Nurse (h/f)", "Welder - Remote"]).tolist()
    ['Nurse', 'Welder']
    """

    def __sklearn_tags__(self):
        return stateless_text_tags(super().__sklearn_tags__())

    def fit(self, X=None, y=None):
        """Nothing to learn; returns self."""
        return self

    def transform(self, X):
        """Clean each title.

        Parameters
        ----------
        X : list, array or Series of str

        Returns
        -------
        ndarray of str, shape (n_titles,)
        """
        return np.array([clean_title(t) for t in check_texts(X, "X", allow_tokens=False)], dtype=object)
