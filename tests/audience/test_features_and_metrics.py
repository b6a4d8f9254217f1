import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from halqa.audience.evaluation import precision_at, recall_at, roc_auc
from halqa.audience.features import CharNgramSpace, FeatureSpace, char_ngrams, metadata_tokens


def test_char_ngrams_work_in_every_script():
    texts = [
        "ⴰⵎⵓⵔ ⵏ ⵓⵙⵓⵙ",
        "ⴰⵎⵓⵔ ⴰⵎⴰⵣⵉⵖ",
        "مسلسل رمضان الكوميدي",
        "مُسَلْسَلُ رَمَضَان",
        "lmousalsal dial ramdan",
        "ramdan comedy",
    ]
    space = CharNgramSpace(dim=2**14).fit(texts)
    sims = (space.transform(texts) @ space.transform(texts).T).toarray()
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[0, 4]  # Tifinagh with Tifinagh
    assert sims[2, 3] > 0.5  # harakat do not hide the match
    assert sims[4, 5] > sims[4, 0]  # Arabizi with Latin
    assert "ⵎⵓⵔ" in char_ngrams("ⴰⵎⵓⵔ")  # no transliteration
    # Hashing is stable across processes (CRC32, not Python's salted hash).
    assert np.array_equal(
        space.transform(["ⴰⵎⵓⵔ"]).indices,
        CharNgramSpace(dim=2**14).fit(texts).transform(["ⴰⵎⵓⵔ"]).indices,
    )


def test_feature_space_drops_unknown_tokens_and_normalises():
    known = [
        metadata_tokens(genres=["comedy"], year=1997),
        metadata_tokens(genres=["drama"], languages=["ary-Latn"]),
    ]
    space = FeatureSpace().fit(known)
    m = space.transform([metadata_tokens(genres=["comedy", "western"], year=1997)])
    assert m.nnz == 4 and np.isclose(m.multiply(m).sum(), 1.0)
    assert "lang:ary" in space.vocabulary  # ary-Latn counts a little as ary


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=4, max_size=40), st.data())
def test_roc_auc_matches_pair_counting(scores, data):
    scores = np.array(scores)
    n_pos = data.draw(st.integers(1, len(scores) - 1))
    positives = np.array(data.draw(st.permutations(range(len(scores))))[:n_pos])
    neg = np.setdiff1d(np.arange(len(scores)), positives)
    pairs = [
        (1.0 if scores[p] > scores[q] else 0.5 if scores[p] == scores[q] else 0.0)
        for p in positives
        for q in neg
    ]
    assert np.isclose(roc_auc(scores, positives), np.mean(pairs))


def test_recall_and_precision_at_k():
    scores = np.arange(10, dtype=float)  # member 9 ranks first
    positives = np.array([9, 8, 0])
    assert recall_at(scores, positives, 2) == 2 / 3
    assert precision_at(scores, positives, 5) == 2 / 5
