"""The learned confidence: the logistic fit, the answer / clarify / fallback rule and its file."""

from __future__ import annotations

from pathlib import Path

from knowledge.confidence import (
    ANSWER_FEATURES,
    AskStatus,
    ConfidenceModel,
    Decision,
    LogisticModel,
    answer_inputs,
)

TOP = {"query_words": 2.0, "cosine": 0.85, "lexical": 0.6}


def lead_model() -> LogisticModel:
    """An answer model fitted on made-up outcomes where only a clear lead means the top is right."""
    rows, labels = [], []
    for best in (0.6, 0.8, 0.95):
        for runner_up in (0.05, 0.1, 0.5, 0.6):
            rows.append(answer_inputs(best, runner_up, {"query_words": 2.0}, False))
            labels.append(int(best - runner_up > 0.3))
    return LogisticModel.fit(ANSWER_FEATURES, rows, labels, l2=0.1)


def test_the_fit_learns_which_way_a_feature_points():
    model = lead_model()
    assert model.weights["lead"] > 0
    far_ahead = model.probability(answer_inputs(0.8, 0.1, {"query_words": 2.0}, False))
    neck_and_neck = model.probability(answer_inputs(0.8, 0.6, {"query_words": 2.0}, False))
    assert far_ahead > 0.9 and neck_and_neck < 0.5


def test_the_answer_model_reads_the_tops_own_signals():
    """Two tops with the same probability and lead: the one whose phrasing the embedding finds close is
    trusted, the one only the lexical side carries is not (as on dev, where the learned weight is positive)."""
    rows, labels = [], []
    for cosine in (0.75, 0.8, 0.9, 0.95):
        for lead in (0.3, 0.5):
            rows.append(answer_inputs(0.9, 0.9 - lead, {"query_words": 2.0, "cosine": cosine, "lexical": 0.7}, False))
            labels.append(int(cosine > 0.85))
    rule = Decision(clarify=0.5, model=LogisticModel.fit(ANSWER_FEATURES, rows, labels, l2=0.1), model_bar=0.8)
    close = {"query_words": 2.0, "cosine": 0.93, "lexical": 0.7}
    far = {**close, "cosine": 0.78}
    assert rule.status(0.9, 0.5, close) is AskStatus.ANSWERED
    assert rule.status(0.9, 0.5, far) is AskStatus.CLARIFY


def test_without_an_answer_model_the_two_bars_decide():
    rule = Decision(answer=0.8, margin=0.2, clarify=0.5)
    assert rule.status(0.9, 0.6) is AskStatus.ANSWERED
    assert rule.status(0.9, 0.75) is AskStatus.CLARIFY  # not far enough ahead
    assert rule.status(0.7, 0.0) is AskStatus.CLARIFY
    assert rule.status(0.4, 0.0) is AskStatus.FALLBACK


def test_with_an_answer_model_its_probability_decides_and_clarify_still_reads_the_top():
    rule = Decision(answer=0.8, margin=0.99, clarify=0.5, model=lead_model(), model_bar=0.8)
    assert rule.status(0.8, 0.1) is AskStatus.ANSWERED  # the two bars no longer decide …
    assert not rule.clears_bars(0.8, 0.1)  # … they only say whether one side of a two-part message stands
    assert rule.status(0.8, 0.6) is AskStatus.CLARIFY
    assert rule.status(0.45, 0.44) is AskStatus.FALLBACK


def test_the_answer_model_survives_its_file(tmp_path: Path):
    path = tmp_path / "confidence.yaml"
    rule = Decision(answer=0.85, margin=0.3, clarify=0.6, model=lead_model(), model_bar=0.9, suggest=0.1)
    ConfidenceModel(lead_model(), rule, "made up").save(path)
    loaded = ConfidenceModel.load(path).decision
    assert (loaded.answer, loaded.margin, loaded.clarify, loaded.model_bar, loaded.suggest) == (
        0.85,
        0.3,
        0.6,
        0.9,
        0.1,
    )
    for best, runner_up in ((0.8, 0.1), (0.8, 0.6), (0.95, 0.5)):
        assert loaded.status(best, runner_up, TOP, True) is rule.status(best, runner_up, TOP, True)


def test_a_file_without_an_answer_model_keeps_the_two_bars(tmp_path: Path):
    path = tmp_path / "confidence.yaml"
    path.write_text("decision:\n  answer: 0.8\n  margin: 0.2\n  clarify: 0.5\n", encoding="utf-8")
    rule = ConfidenceModel.load(path).decision
    assert not rule.model.ready
    assert rule.status(0.9, 0.75) is AskStatus.CLARIFY
    assert not rule.offers_choices(0.49)  # a fallback offers no choices unless a bar was fitted


def test_the_shipped_rule_has_its_answer_model():
    rule = ConfidenceModel.load().decision
    assert rule.model.ready and set(rule.model.weights) == set(ANSWER_FEATURES)
    assert 0 < rule.clarify <= 1 and 0 < rule.model_bar < 1 and 0 < rule.answer < 1
    assert 0 < rule.suggest < rule.clarify  # a fallback near the clarify bar offers its choices
