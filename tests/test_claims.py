"""Claims: directional words only when the interval excludes the null; sentences in both languages."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmlab.analysis._results import Estimate
from crmlab.analysis.claims import Claim, claims_json, directional, leader
from crmlab.i18n import LABELS, LANGUAGES, Messages, check_lang, label

TEXTS = Messages({
    "x.up": {"en": "UP {estimate:.2f} [{ci_low:.2f}, {ci_high:.2f}] at {level:.0%}",
             "zh": "上升 {estimate:.2f} [{ci_low:.2f}, {ci_high:.2f}] {level:.0%}"},
    "x.down": {"en": "DOWN {estimate:.2f} [{ci_low:.2f}, {ci_high:.2f}] at {level:.0%}",
               "zh": "下降 {estimate:.2f} [{ci_low:.2f}, {ci_high:.2f}] {level:.0%}"},
    "x.unclear": {"en": "UNCLEAR {estimate:.2f} [{ci_low:.2f}, {ci_high:.2f}] at {level:.0%}",
                  "zh": "无法判断 {estimate:.2f} [{ci_low:.2f}, {ci_high:.2f}] {level:.0%}"},
    "m.leader": {"en": "{leader} leads {runner_up} by {estimate:.2f}", "zh": "{leader} 领先 {runner_up} {estimate:.2f}"},
    "m.unclear": {"en": "no clear leader ({leader}, {runner_up})", "zh": "没有明确领先者（{leader}，{runner_up}）"},
})

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(a=finite, b=finite, null=st.floats(-10, 10), lang=st.sampled_from(LANGUAGES))
def test_supported_exactly_when_the_interval_excludes_the_null(a, b, null, lang):
    lo, hi = min(a, b), max(a, b)
    c = directional("x", Estimate((lo + hi) / 2, lo, hi), TEXTS, null=null, lang=lang)
    assert c.supported == (lo > null or hi < null)
    word = {"en": ("UP", "DOWN", "UNCLEAR"), "zh": ("上升", "下降", "无法判断")}[lang]
    expected = word[0] if lo > null else word[1] if hi < null else word[2]
    assert c.text.startswith(expected)
    assert c.direction == (1 if lo > null else -1 if hi < null else 0)
    assert c.ci == (lo, hi) and c.null == null


def test_undefined_interval_is_never_supported():
    c = directional("x", Estimate(0.5, math.nan, math.nan), TEXTS)
    assert not c.supported and c.text.startswith("UNCLEAR")


def test_accepts_result_objects_and_tuples():
    class Fit:  # any result with estimate / ci_low / ci_high
        estimate, ci_low, ci_high, confidence_level = 2.0, 1.5, 2.5, 0.9

    c = directional("x", Fit(), TEXTS, null=1.0)
    assert c.supported and c.text == "UP 2.00 [1.50, 2.50] at 90%"
    assert directional("x", (0.1, -0.1, 0.3), TEXTS).supported is False
    with pytest.raises(TypeError):
        directional("x", 0.3, TEXTS)


def test_leader_needs_a_clear_lead():
    ests = {"service": Estimate(0.40, 0.35, 0.45), "quality": Estimate(0.30, 0.26, 0.34), "price": Estimate(0.1, 0, 0.2)}
    c = leader("m", ests, TEXTS)
    assert c.supported and c.text.startswith("service leads quality")
    assert c.detail == {"leader": "service", "runner_up": "quality"}
    assert claims_json([c])[0]["detail"] == c.detail
    assert c.estimate == pytest.approx(0.10) and c.ci == pytest.approx((0.35 - 0.34, 0.45 - 0.26))
    overlapping = {**ests, "quality": Estimate(0.38, 0.33, 0.43)}
    c = leader("m", overlapping, TEXTS)
    assert not c.supported and c.text.startswith("no clear leader")
    # a bootstrap interval of the difference can support a lead that overlapping intervals cannot
    c = leader("m", overlapping, TEXTS, difference=Estimate(0.02, 0.005, 0.035))
    assert c.supported
    # a difference interval that excludes 0 from below is not a lead
    assert not leader("m", overlapping, TEXTS, difference=Estimate(-0.02, -0.03, -0.01)).supported


def test_leader_names_and_languages():
    ests = {"service": (0.4, 0.35, 0.45), "price": (0.1, 0.0, 0.2)}
    c = leader("m", ests, TEXTS, names={k: label(k, "zh") for k in ests}, lang="zh")
    assert c.text.startswith("服务 领先 价格")
    with pytest.raises(ValueError, match="at least two"):
        leader("m", {"a": (1, 0, 2)}, TEXTS)
    with pytest.raises(ValueError, match="fewer than two"):
        leader("m", {"a": (1, 0, 2), "b": (math.nan, 0, 1)}, TEXTS)


def test_claims_json_has_the_contract_keys_and_unique_ids():
    c = directional("x", Estimate(1.0, 0.5, 1.5), TEXTS)
    (row,) = claims_json([c])
    assert set(row) == {"id", "text", "estimate", "ci", "null", "supported"}
    assert row["ci"] == [0.5, 1.5] and row["supported"] is True
    with pytest.raises(ValueError, match="used twice"):
        claims_json([c, c])
    assert isinstance(c, Claim) and str(c) == c.text


def test_messages_refuse_missing_or_inconsistent_translations():
    with pytest.raises(ValueError, match="no zh text"):
        Messages({"a": {"en": "x"}})
    with pytest.raises(ValueError, match="different fields"):
        Messages({"a": {"en": "{n} items", "zh": "若干项"}})
    with pytest.raises(KeyError, match="no message"):
        TEXTS("nope")
    with pytest.raises(ValueError, match="lang must be"):
        TEXTS("x.up", "fr", estimate=1, ci_low=0, ci_high=2, level=0.95)
    assert check_lang("zh") == "zh"


def test_every_label_has_both_languages_and_chinese_is_chinese():
    for key in LABELS:
        zh = label(key, "zh")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), (key, zh)
        assert label(key, "en") and label(key, "en") != zh
