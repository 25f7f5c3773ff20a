import dataclasses
import json

import pytest

from crmlab.config import PRESETS, Scenario, ScenarioError, get_scenario


def test_presets_sizes():
    assert get_scenario("tiny").n_customers < 2000
    assert get_scenario("classroom").n_customers == 5000
    assert get_scenario("research").n_customers == 100_000
    assert get_scenario("large").n_customers == 1_000_000
    assert set(PRESETS) == {"tiny", "classroom", "research", "large"}


def test_classroom_spans_two_years():
    sc = get_scenario("classroom")
    assert 729 <= sc.n_days <= 731


def test_round_trip_through_json():
    sc = get_scenario("tiny", seed=5, hr_price_change_cancel=2.5, locale="en_US")
    again = Scenario.from_dict(json.loads(json.dumps(sc.to_dict())))
    assert again == sc


def test_frozen():
    sc = get_scenario("tiny")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sc.seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("n_customers", 10, "n_customers"),
        ("seed", -1, "seed"),
        ("locale", "fr_FR", "locale"),
        ("hr_price_change_cancel", 0.0, "hr_price_change_cancel"),
        ("p_late_delivery", 1.5, "p_late_delivery"),
        ("start", "2024-13-01", "start"),
        ("end", "2024-03-01", "end"),
        ("driver_weights", (1, 2), "driver_weights"),
        ("loyalty_waves", (0.5, 0.2, 0.3), "loyalty_waves"),
        ("campaign_date", "2030-01-01", "campaign_date"),
    ],
)
def test_invalid_values_name_the_field(field, value, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        get_scenario("classroom", **{field: value})


def test_unknown_preset_and_field():
    with pytest.raises(ScenarioError, match="unknown preset"):
        get_scenario("huge")
    with pytest.raises(ScenarioError, match="bogus"):
        get_scenario("tiny", bogus=1)
    with pytest.raises(ScenarioError, match="bogus"):
        Scenario.from_dict({"bogus": 1})


def test_none_overrides_are_ignored():
    assert get_scenario("tiny", seed=None).seed == 0


def test_every_planted_effect_is_a_documented_field():
    doc = Scenario.__doc__ or ""
    names = {f.name for f in dataclasses.fields(Scenario)}
    for prefix in ("hr_", "p_", "survey_", "campaign_", "loyalty_", "basket_"):
        assert any(n.startswith(prefix) for n in names)
        assert prefix in doc
