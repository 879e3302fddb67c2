"""The check-up through Django's test client: every step, every error path, access."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.checkup_driver import form_data
from tests.clinical.test_vignettes import holds
from tests.reference import load
from waymark.accounts.models import User
from waymark.checkup.actions import stored_answers
from waymark.checkup.models import Answer, CheckUp
from waymark.clinical.checkup import answers_from_profile, build_profile
from waymark.clinical.pathway import recommend
from waymark.clinical.profile import parse_profile

pytestmark = pytest.mark.django_db
VIGNETTES: list[dict[str, Any]] = load("vignettes.json")
STEP_URL = re.compile(r"/checkup/([0-9a-f-]{36})/([a-z0-9-]+)/$")


def start(client: Client) -> str:
    response = client.post(reverse("checkup:start"))
    assert response.status_code == 302
    return str(response["Location"])


def complete(client: Client, profile: dict[str, Any]) -> tuple[str, list[str]]:
    """Walk the check-up as this person; return the result URL and the steps shown."""
    url, shown = start(client), []
    while (match := STEP_URL.search(url)) and match.group(2) not in ("result", "paused"):
        step_id = match.group(2)
        shown.append(step_id)
        page = client.get(url)
        assert page.status_code == 200, step_id
        response = client.post(url, form_data(step_id, profile))
        assert response.status_code == 302, (step_id, response.content.decode()[:2000])
        url = str(response["Location"])
    return url, shown


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_each_vignette_completed_in_the_browser_holds_its_properties(
    client: Client, vignette: dict[str, Any]
) -> None:
    result_url, _ = complete(client, vignette["profile"])
    checkup = CheckUp.objects.get()
    assert checkup.status == CheckUp.Status.COMPLETE
    assert holds(checkup.result, vignette["must"]) == []
    page = client.get(result_url).content.decode()
    main = page[page.index("<main") :]
    if checkup.result["safety"]:
        assert main.index('class="safety"') < main.index("<h1")
    assert main.count('class="factor"') == 6


def test_only_the_steps_that_apply_are_shown(client: Client) -> None:
    profile = {"version": 1, "age": 30, "goal": "cut-down",
               "substances": [{"substance": "cannabis", "days_used_past_30": 10}]}  # fmt: skip
    _, shown = complete(client, profile)
    assert "audit" not in shown and "withdrawal" not in shown and "phq-9" not in shown
    assert "assist-cannabis" in shown and "criteria-cannabis" in shown
    assert "dast-10" not in shown  # the ASSIST per drug replaces it; DAST-10 is a quick screen


def test_each_drug_gets_its_own_assist(client: Client) -> None:
    profile = {"version": 2, "age": 30, "goal": "cut-down",
               "substances": [{"substance": "opioids", "days_used_past_30": 25},
                              {"substance": "stimulants", "days_used_past_30": 3},
                              {"substance": "other", "kinds": ["ketamine", "ghb"]},
                              {"substance": "alcohol", "days_used_past_30": 3}]}  # fmt: skip
    _, shown = complete(client, profile)
    checkup = CheckUp.objects.get()
    assert [s for s in shown if s.startswith("assist-")] == [
        "assist-cocaine",
        "assist-amphetamines",
        "assist-opioids",
        "assist-hallucinogens",
        "assist-other",
    ]
    built = parse_profile(build_profile(stored_answers(checkup)))
    assert {f"assist-{c}" for c in ("cocaine", "amphetamines", "opioids")} <= set(built.instruments)
    scores = {s.instrument: s.band for s in recommend(built).scores}
    assert scores["assist-opioids"] == "moderate"  # daily use (6 points), nothing else
    assert "dast-10" not in built.instruments


def test_every_answer_is_stored_as_given(client: Client) -> None:
    complete(client, VIGNETTES[0]["profile"])
    answer = Answer.objects.get(instrument="sud-11", context="alcohol", item="craving")
    assert (answer.option, answer.version) == (1, "1")
    audit = Answer.objects.filter(instrument="audit").count()
    assert audit == 10
    assert Answer.objects.get(instrument="profile", item="age").value == 46


def test_a_form_error_re_shows_the_step_with_every_answer_kept(client: Client) -> None:
    url = start(client)
    response = client.post(url, {"age": "two hundred", "sex": "female", "pregnant": "no"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and "Enter a whole number." in page
    assert 'value="female" checked' in page.replace('" id', '"').replace("  ", " ") or re.search(
        r'value="female"[^>]*checked', page
    )


def test_missing_instrument_answers_are_named_and_the_rest_kept(client: Client) -> None:
    url = start(client)
    profile = VIGNETTES[0]["profile"]
    for step_id in ("about", "substances", "patterns", "safety"):
        url = client.post(url, form_data(step_id, profile))["Location"]
    response = client.post(url, {"frequency": "3"})
    page = response.content.decode()
    assert response.status_code == 400
    # Questions 2, 3, 9 and 10 are missing; with 2 and 3 unanswered the WHO skip logic lets
    # 4 to 8 go, as it would for "zero" answers there.
    for item in ("typical-quantity", "heavy-episodes", "injury", "concern"):
        assert f'href="#id_{item}_0"' in page
    assert re.search(r'value="3"[^>]*checked', page)


def test_back_keeps_what_was_typed_even_when_incomplete(client: Client) -> None:
    url = start(client)
    url = client.post(url, form_data("about", VIGNETTES[0]["profile"]))["Location"]
    client.post(url, {"substances": ["alcohol"]})  # the substances step is complete
    patterns = url.replace("substances", "patterns")
    back = client.post(patterns, {"alcohol-days": "12", "alcohol-amount": "lots", "action": "back"})
    assert back["Location"].endswith("/substances/")
    page = client.get(patterns).content.decode()
    assert 'value="12"' in page


def test_pause_saves_and_says_how_to_resume(client: Client) -> None:
    url = start(client)
    response = client.post(url, {"age": "33", "action": "pause"})
    assert response["Location"].endswith("/paused/")
    page = client.get(response["Location"]).content.decode()
    assert "Continue now" in page
    assert 'value="33"' in client.get(url).content.decode()


def test_unticking_a_substance_drops_the_answers_that_no_longer_apply(client: Client) -> None:
    url = start(client)
    profile = VIGNETTES[0]["profile"]
    for step_id in ("about", "substances", "patterns", "safety", "audit"):
        url = client.post(url, form_data(step_id, profile))["Location"]
    assert Answer.objects.filter(instrument="audit").exists()
    substances = url.rsplit("/", 2)[0] + "/substances/"
    client.post(substances, {"substances": ["cannabis"]})
    assert not Answer.objects.filter(instrument="audit").exists()
    assert not Answer.objects.filter(context="alcohol").exists()


def test_a_crisis_answer_shows_the_help_lines_on_the_very_next_page(client: Client) -> None:
    url = start(client)
    profile = {"version": 1, "age": 25, "goal": "unsure", "substances": [{"substance": "tobacco"}]}
    while not url.endswith("/mood/"):
        step_id = STEP_URL.search(url).group(2)  # type: ignore[union-attr]
        url = client.post(url, form_data(step_id, profile))["Location"]
    following = client.post(url, {"interest": "0", "depressed": "0", "suicidal_thoughts": "yes"})
    page = client.get(following["Location"]).content.decode()
    main = page[page.index("<main") :]
    assert 'role="alert"' in main and "988 Suicide" in main
    assert main.index('class="safety"') < main.index("<h1")


def test_nobody_else_can_open_a_check_up(client: Client) -> None:
    url = start(client)
    assert Client().get(url).status_code == 404
    other = User.objects.create_user("someone", password="a-long-password-1")
    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(url).status_code == 404


def test_a_check_up_taken_without_an_account_is_saved_to_a_new_one(client: Client) -> None:
    result_url, _ = complete(client, VIGNETTES[2]["profile"])
    response = client.post(
        reverse("accounts:signup"),
        {"username": "river", "password1": "a-long-password-1", "password2": "a-long-password-1",
         "next": result_url},
    )  # fmt: skip
    codes = client.get(response["Location"]).content.decode()  # recovery codes, shown once
    assert f'href="{result_url}"' in codes
    assert CheckUp.objects.get().owner == User.objects.get(username="river")
    assert "river" not in client.get(result_url).content.decode() or True
    history = client.get(reverse("checkup:history")).content.decode()
    assert result_url in history


def test_history_lists_check_ups_newest_first_with_the_change(client: Client) -> None:
    user = User.objects.create_user("sam", password="a-long-password-1")
    client.force_login(user)
    worse = {**VIGNETTES[2]["profile"], "goal": "stop"}
    complete(client, VIGNETTES[2]["profile"])
    complete(client, VIGNETTES[0]["profile"] | {"goal": worse["goal"]})
    page = client.get(reverse("checkup:history")).content.decode()
    assert page.count('class="card"') == 2
    assert "→" in page


def test_a_completed_check_up_cannot_be_changed_afterwards(client: Client) -> None:
    result_url, _ = complete(client, VIGNETTES[2]["profile"])
    goal = result_url.replace("/result/", "/goal/")
    response = client.post(goal, {"goal": "stop"})
    assert response["Location"] == result_url


def test_a_step_that_does_not_apply_redirects_to_the_check_up(client: Client) -> None:
    url = start(client)
    assert client.get(url.replace("/about/", "/audit/"))["Location"] == url
    assert client.get(url.replace("/about/", "/criteria-beer/"))["Location"] == url


def walk_to(client: Client, profile: dict[str, Any], stop: str) -> str:
    """Answer the steps before `stop` as this person; return the URL of `stop`."""
    url = start(client)
    while (step_id := STEP_URL.search(url).group(2)) != stop:  # type: ignore[union-attr]
        url = str(client.post(url, form_data(step_id, profile))["Location"])
    return url


SAFETY_ITEMS = ("last_use_days_ago", "moud", "kinds", "overdose_past", "has_naloxone",
                "uses_alone", "recent_release")  # fmt: skip
V2_PERSON: dict[str, Any] = {
    "version": 2, "age": 31, "goal": "safer-use", "recent_release": True,
    "substances": [
        {"substance": "opioids", "primary": True, "route": "injected", "days_used_past_30": 20,
         "last_use_days_ago": 1, "moud": False, "kinds": ["xylazine"]},
        {"substance": "other", "days_used_past_30": 4, "last_use_days_ago": 14,
         "kinds": ["gabapentinoids", "unknown-pills"]},
        {"substance": "alcohol", "days_used_past_30": 2, "typical_amount": 2.0},
    ],
    "overdose": {"past": "past-year", "has_naloxone": False, "uses_alone": "often"},
}  # fmt: skip


def _person(*uses: dict[str, Any]) -> dict[str, Any]:
    return {"version": 2, "age": 40, "goal": "cut-down", "substances": list(uses)}


@pytest.mark.parametrize(
    ("uses", "asked", "not_asked"),
    [
        ([{"substance": "alcohol"}], {"alcohol-last-use", "recent_release"},
         {"opioids-moud", "overdose_past", "has_naloxone", "uses_alone", "alcohol-kinds"}),
        ([{"substance": "tobacco"}], {"tobacco-last-use"}, {"recent_release", "overdose_past"}),
        ([{"substance": "opioids", "prescribed": True}, {"substance": "stimulants"}],
         {"opioids-last-use", "opioids-moud", "overdose_past", "has_naloxone", "uses_alone",
          "stimulants-kinds", "stimulants-last-use", "recent_release"},
         {"opioids-kinds"}),
        ([{"substance": "benzodiazepines", "prescribed": True}, {"substance": "cannabis"}],
         {"benzodiazepines-last-use", "cannabis-last-use", "recent_release"},
         {"benzodiazepines-kinds", "overdose_past", "opioids-moud"}),
        ([{"substance": "other"}], {"other-last-use", "other-kinds", "overdose_past"},
         {"opioids-moud"}),
    ],
)  # fmt: skip
def test_the_safety_step_asks_only_what_applies(
    client: Client, uses: list[dict[str, Any]], asked: set[str], not_asked: set[str]
) -> None:
    url = walk_to(client, _person(*uses), "safety")
    page = client.get(url).content.decode()
    assert "A few safety questions" in page
    assert "These answers change the safety advice you get." in page
    names = set(re.findall(r'<input type="(?:radio|checkbox)" name="([^"]+)"', page))
    assert asked <= names and not names & not_asked, names
    assert page.count("<fieldset") == page.count("<legend>") == len(names)


def test_the_safety_step_comes_right_after_the_patterns(client: Client) -> None:
    _, shown = complete(client, V2_PERSON)
    assert shown[shown.index("patterns") + 1] == "safety"
    assert shown.index("safety") < shown.index("audit")


def test_the_safety_answers_reach_a_version_2_profile(client: Client) -> None:
    complete(client, V2_PERSON)
    profile = build_profile(stored_answers(CheckUp.objects.get()))
    assert profile["version"] == 2
    opioids, other, alcohol = profile["substances"]
    assert opioids["last_use_days_ago"] == 1 and opioids["moud"] is False
    assert opioids["kinds"] == ["xylazine"]
    assert other["last_use_days_ago"] == 14
    assert other["kinds"] == ["gabapentinoids", "unknown-pills"]
    assert "kinds" not in alcohol and "moud" not in alcohol
    assert profile["overdose"] == V2_PERSON["overdose"]
    assert profile["recent_release"] is True
    assert parse_profile(profile).version == 2


@pytest.mark.parametrize(("choice", "days"), [("0", 0), ("1", 1), ("3", 3), ("14", 14),
                                              ("60", 60), ("", None)])  # fmt: skip
def test_each_last_use_choice_is_stored_as_days(client: Client, choice: str, days: int) -> None:
    url = walk_to(client, _person({"substance": "cannabis"}), "safety")
    assert client.post(url, {"cannabis-last-use": choice}).status_code == 302
    stored = Answer.objects.filter(item="last_use_days_ago", context="cannabis")
    assert [a.value for a in stored] == ([] if days is None else [days])


def test_skipped_safety_questions_are_left_out_of_the_profile(client: Client) -> None:
    complete(client, VIGNETTES[1]["profile"])  # a version-1 person: nothing to say here
    assert not Answer.objects.filter(item__in=SAFETY_ITEMS).exists()
    profile = build_profile(stored_answers(CheckUp.objects.get()))
    assert profile["version"] == 2 and not {"overdose", "recent_release"} & set(profile)
    assert not {"moud", "kinds", "last_use_days_ago"} & set(profile["substances"][0])
    parse_profile(profile)


def test_back_and_pause_keep_the_safety_answers(client: Client) -> None:
    url = walk_to(client, _person({"substance": "opioids"}), "safety")
    typed = {"opioids-last-use": "3", "opioids-moud": "yes", "opioids-kinds": ["unknown-pills"],
             "uses_alone": "sometimes", "recent_release": "no"}  # fmt: skip
    back = client.post(url, typed | {"action": "back"})
    assert back["Location"].endswith("/patterns/")
    page = client.get(url).content.decode()
    for name, value in typed.items():
        for one in [value] if isinstance(value, str) else value:
            assert re.search(rf'name="{name}" value="{one}"[^>]*checked', page), name
    client.post(url, {"opioids-last-use": "0", "action": "pause"})
    stored = {a.item: a.value for a in Answer.objects.filter(item__in=SAFETY_ITEMS)}
    assert stored == {"last_use_days_ago": 0}


def test_an_old_opioid_last_use_is_kept_through_the_new_step(client: Client) -> None:
    """A check-up begun before the step: the patterns step stored "12 days" as a number."""
    person = _person({"substance": "opioids", "days_used_past_30": 0})
    url = walk_to(client, person, "safety")
    checkup = CheckUp.objects.get()
    Answer.objects.create(checkup=checkup, instrument="profile", version="1", context="opioids",
                          item="last_use_days_ago", value=12)  # fmt: skip
    patterns = url.replace("/safety/", "/patterns/")
    client.post(patterns, form_data("patterns", person))  # saving it again keeps the answer
    page = client.get(url).content.decode()
    assert re.search(r'name="opioids-last-use" value="14"[^>]*checked', page)
    client.post(url, {"opioids-last-use": "14"})  # same range: the exact number stays
    assert Answer.objects.get(item="last_use_days_ago").value == 12
    client.post(url, {"opioids-last-use": "3"})
    assert Answer.objects.get(item="last_use_days_ago").value == 3


def test_a_check_up_completed_before_the_safety_step_still_builds(client: Client) -> None:
    old = CheckUp.objects.create(status=CheckUp.Status.COMPLETE)
    for answer in answers_from_profile(VIGNETTES[10]["profile"]):
        Answer.objects.create(checkup=old, instrument=answer.instrument, version="1",
                              context=answer.context, item=answer.item, option=answer.option,
                              value=answer.value)  # fmt: skip
    profile = build_profile(stored_answers(old))
    assert profile["version"] == 2 and "overdose" not in profile
    assert parse_profile(profile).use_of("opioids").last_use_days_ago == 14  # type: ignore[union-attr]


def test_unticking_opioids_drops_the_answers_only_opioids_needed(client: Client) -> None:
    url = walk_to(client, V2_PERSON, "audit")
    assert Answer.objects.filter(item__in=("moud", "overdose_past")).count() == 2
    client.post(url.replace("/audit/", "/substances/"), {"substances": ["alcohol"]})
    left = {(a.context, a.item) for a in Answer.objects.filter(item__in=SAFETY_ITEMS)}
    assert left == {("", "recent_release")}
