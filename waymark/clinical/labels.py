"""Plain words for the engine's ids, shared by the command line and the pages."""

from __future__ import annotations

from waymark.clinical.text import N_

APPROACH = {
    "abstinence": N_("Abstinence"),
    "harm-reduction": N_("Harm reduction"),
    "staged": N_("Staged: harm reduction now, stopping as the next step"),
}
APPROACH_MEANING = {
    "abstinence": N_("Stopping completely, with the support that makes it safe and lasting."),
    "harm-reduction": N_(
        "Using less, or more safely, to cut the harm: every step that keeps you well counts."
    ),
    "staged": N_(
        "Reduce the harm now, and plan to stop as the next step, when the signs say you are ready."
    ),
}
LEANS = {
    "abstinence": N_("leans towards abstinence"),
    "harm-reduction": N_("leans towards harm reduction"),
    "neutral": N_("leans neither way"),
}
FACTOR = {
    "goal": N_("Your goal"),
    "health": N_("Your health"),
    "support": N_("Your support"),
    "past-experience": N_("Your past experience"),
    "readiness": N_("Your readiness"),
    "severity": N_("The number of warning signs"),
}
URGENCY = {
    "none": N_("No professional treatment is needed from what you told us"),
    "consider": N_("Consider talking to a professional"),
    "recommended": N_("Professional help is recommended"),
    "urgent": N_("Get professional help now"),
}
CARE_LEVEL = {
    "self-directed": N_("Self-directed: your own plan, with tools like this one"),
    "brief-intervention": N_("A short conversation with a doctor, nurse or counsellor"),
    "outpatient": N_("Outpatient care: regular appointments while you live at home"),
    "intensive-outpatient": N_(
        "Intensive outpatient care: several sessions a week while you live at home"
    ),
    "partial-hospitalization": N_("Day treatment: most of the day in a program, nights at home"),
    "residential": N_("Residential care: living for a while in a treatment setting"),
    "inpatient": N_(
        "Inpatient care: in a hospital or clinic, with doctors and nurses around the clock"
    ),
}
SEVERITY = {
    "none": N_("Below the threshold of a use disorder"),
    "mild": N_("May suggest a mild use disorder"),
    "moderate": N_("May suggest a moderate use disorder"),
    "severe": N_("May suggest a severe use disorder"),
}
SUBSTANCE = {
    "alcohol": N_("Alcohol"),
    "opioids": N_("Opioids"),
    "benzodiazepines": N_("Benzodiazepines"),
    "stimulants": N_("Stimulants"),
    "cannabis": N_("Cannabis"),
    "tobacco": N_("Tobacco"),
    "other": N_("Other drugs"),
}
# The warning signs, as a person would say them.
SIGN = {
    "larger-longer": N_("Using more, or for longer, than you meant to"),
    "cut-down": N_("Wanting or trying to cut down, and not managing to"),
    "time-spent": N_("Spending a lot of time using or getting over it"),
    "craving": N_("Strong cravings or urges"),
    "role-failure": N_("Falling behind at home, work or school"),
    "social-problems": N_("Trouble with family or friends because of it"),
    "activities-given-up": N_("Giving up things that mattered to you"),
    "hazardous-use": N_("Getting into risky situations while using"),
    "health-problems": N_("Keeping on despite health or mood problems"),
    "tolerance": N_("Needing more to get the same effect"),
    "withdrawal": N_("Feeling sick or shaky as it wears off"),
}
SAFETY_TITLE = {
    "crisis-support": N_("Crisis support"),
    "under-18": N_("For people under 18"),
    "continue-moud": N_("Keep taking your medication"),
    "medically-supervised-withdrawal": N_("Withdrawal needs medical supervision"),
    "no-self-taper": N_("No home taper"),
    "pregnancy-care": N_("Care in pregnancy"),
    "polysubstance-overdose-risk": N_("Mixing raises overdose risk"),
    "reduced-tolerance": N_("Lower tolerance after a break"),
    "naloxone": N_("Carry naloxone"),
    "never-use-alone": N_("Never use alone"),
    "fentanyl-test-strips": N_("Test for fentanyl"),
    "syringe-services": N_("Syringe services and testing"),
    "medication-for-opioid-use-disorder": N_("Medication for opioid use disorder"),
    "medication-for-alcohol-use-disorder": N_("Medication for alcohol use disorder"),
}

# The risk model's three dimensions and levels (CONTRACTS.md §3b), for people.
RISK = {
    "withdrawal": N_("Withdrawal"),
    "overdose": N_("Overdose"),
    "mental_health": N_("Mental health"),
}
RISK_LEVEL = {
    "none": N_("nothing found"),
    "possible": N_("possible"),
    "high": N_("high"),
}
# The withdrawal row at "none" where stopping is still planned with a clinician (a sedative,
# opioids used now: `RiskModel.stopping_is_safe`).
WITHDRAWAL_NONE_BUT_CLINICIAN = N_(
    "No sign in your answers of dangerous withdrawal, such as seizures. Stopping is still best "
    "planned with a clinician: see the safety findings above."
)
RISK_MEANING = {
    "withdrawal": {
        "none": N_("Nothing in your answers suggests that stopping would be dangerous."),
        "possible": N_(
            "Stopping all at once could bring withdrawal. Cut down gradually, with support, "
            "and talk to a doctor first."
        ),
        "high": N_(
            "Stopping or cutting down on your own could be dangerous. A doctor or a "
            "withdrawal service should plan it with you."
        ),
    },
    "overdose": {
        "none": N_("Nothing in your answers suggests a raised overdose risk."),
        "possible": N_(
            "Some of what you use can cause an overdose. Read the steps that protect you."
        ),
        "high": N_(
            "Your risk of overdose is high. Carry naloxone, never use alone, and read the steps "
            "below."
        ),
    },
    "mental_health": {
        "none": N_("Nothing in your answers points to a mood or anxiety concern."),
        "possible": N_(
            "Your answers suggest that your mood or anxiety deserves care. Consider talking to "
            "a doctor or counsellor."
        ),
        "high": N_(
            "You told us about thoughts of suicide or self-harm. Please reach out to a crisis "
            "line now."
        ),
    },
}
