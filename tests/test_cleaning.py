"""Title cleaning on real posted titles (copied from the LinkedIn and EMSCAD sets in ../shared/data)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from job2vec.cleaning import TitleCleaner, clean_title

REAL_TITLES = [
    ("Linux Systems Engineer (m/f/d)", "Linux Systems Engineer"),
    ("IT Lead, Product Analyst - Legal (M/F/X)", "IT Lead, Product Analyst - Legal"),
    ("Senior Business Finance Analyst - Sustainability Business Europe (f/m/d)",
     "Senior Business Finance Analyst - Sustainability Business Europe"),
    ("***Senior Analyst Supply Chain - Remote", "Senior Analyst Supply Chain"),
    ("EDW/ETL Developer - ***Security Clearance", "EDW/ETL Developer - Security Clearance"),
    ("Work From Home Java Engineer / Ref. 0003E - Back-End | Pleno", "Java Engineer - Back-End | Pleno"),
    ("Urgent Requirement For Technical Product Owner ( IMMEDIATE INTERVIEW )", "Technical Product Owner"),
    ("Analyst 2, Cust Contract Admin - Urgent Need", "Analyst 2, Cust Contract Admin"),
    ("Urgent Opening :: UNIX/Linux System Engineer :: Onsite Role", "UNIX/Linux System Engineer"),
    ("Service Now Developer- URGENT NEED", "Service Now Developer"),
    ("Urgent Position | Data Entry/ Data Insights Analyst | Des Moines, IA 50266", "Data Entry/ Data Insights Analyst"),
    ("Urgently Required: Scala Developer with Akka & Play Framework: Bentonville, AR (Hybrid from day 1)",
     "Scala Developer with Akka & Play Framework"),
    ("URGENT!! Influencer Marketing Intern (100% WFH)", "Influencer Marketing Intern"),
    ("Cruise Staff Wanted *URGENT*", "Cruise Staff Wanted"),
    ("Data Analyst - Remote | WFH", "Data Analyst"),
    ("Payments Data Analyst", "Payments Data Analyst"),
    ("Research Data Analyst/Senior Statistician - San Diego, CA", "Research Data Analyst/Senior Statistician"),
    ("Senior Manager, Enterprise Applications - BI & Data Analytics",
     "Senior Manager, Enterprise Applications - BI & Data Analytics"),
    ("Director, Global Regulatory Strategy Lead - Inflammation (Remote)",
     "Director, Global Regulatory Strategy Lead - Inflammation"),
    ("Data Scientist - $60,000/year USD", "Data Scientist"),
]


@pytest.mark.parametrize("title, expected", REAL_TITLES)
def test_clean_title_strips_what_is_not_the_job(title, expected):
    assert clean_title(title) == expected


def test_a_title_that_would_vanish_is_kept():
    assert clean_title("Remote") == "Remote"
    assert clean_title("  (m/f/d)  ") == "(m/f/d)"


@given(st.text(min_size=1, max_size=60))
def test_clean_title_never_fails_and_never_empties_a_title(title):
    cleaned = clean_title(title)
    assert isinstance(cleaned, str)
    if title.strip():
        assert cleaned.strip()


def test_title_cleaner_is_a_stateless_transformer():
    cleaner = clone(TitleCleaner())
    out = cleaner.fit_transform([t for t, _ in REAL_TITLES[:4]])
    assert out.tolist() == [e for _, e in REAL_TITLES[:4]]
    assert cleaner.__sklearn_tags__().input_tags.string
    with pytest.raises(TypeError, match="not a single string"):
        cleaner.transform("Nurse (h/f)")
    with pytest.raises(TypeError, match="title must be a string"):
        clean_title(None)
