"""The words of a recovery plan's supports, relapse-prevention plan, stages and personal
suggestions (assembled by :mod:`waymark.clinical.plan`; the safety and toolkit words are in
:mod:`waymark.clinical.plan_text`).

The same rules hold: ours, plain, warm, marked with N_() for translation; no phone numbers
(help lines come from configuration) and no doses. The personal suggestions are written in the
person's own voice, because they pre-fill lists the person edits and keeps.
"""

from __future__ import annotations

from waymark.clinical.text import N_

# Supports (FACTS.md §8: skills, coping, support networks, trigger management, lifestyle) -----

SUPPORT_TITLE = {
    "urge-surfing": N_("Urge surfing"),
    "delay-distract-decide": N_("Delay, distract, decide"),
    "halt": N_("HALT: hungry, angry, lonely, tired"),
    "triggers": N_("Your triggers and high-risk situations"),
    "support-network": N_("Your support network"),
    "meetings": N_("Meetings and groups"),
    "activities": N_("Replacement activities and routines"),
}
URGE_SURFING_PARAGRAPH = N_(
    "A craving is like a wave: it builds, peaks and passes, even if you do not act on it. "
    "Urge surfing means riding it out."
)
URGE_SURFING_STEPS = (
    N_('Notice the craving and name it: "This is a craving. It will pass."'),
    N_(
        "Sit comfortably and breathe slowly. Notice where you feel it in your body: your "
        "chest, stomach, mouth or hands."
    ),
    N_("Watch it like a wave. Let it rise and fall without fighting it and without giving in."),
    N_("Keep breathing until it eases. Each wave you ride out makes the next one easier."),
)
DELAY_STEPS = (
    N_("Delay: tell yourself you will wait 15 minutes before you decide anything."),
    N_(
        "Distract: do something that takes your mind and your hands, such as a walk, a shower, "
        "a call to a friend, food, a game or music."
    ),
)
DECIDE_STOP = N_(
    "Decide: when the time is up, remember why you made this plan and how you want to feel "
    "tomorrow. Often the urge has passed; if not, wait again or call someone."
)
DECIDE_HARM_REDUCTION = N_(
    "Decide: when the time is up, remember why you made this plan and how you want to feel "
    "tomorrow. If you still choose to use, keep to your limit and your safety steps."
)
DECIDE_HARM_REDUCTION_NO_LIMIT = N_(
    "Decide: when the time is up, remember why you made this plan and how you want to feel "
    "tomorrow. If you still choose to use, keep to your safety steps."
)
HALT_PARAGRAPH = N_(
    "Cravings hit harder when you are hungry, angry, lonely or tired. When one comes, stop "
    "and check:"
)
HALT_BULLETS = (
    N_("Hungry: eat something, even something small."),
    N_("Angry: step away, breathe, move your body, or write down what you feel."),
    N_("Lonely: call, text or see someone, or go to a meeting."),
    N_("Tired: rest, or go to bed early. Things look different after sleep."),
)
TRIGGERS_PARAGRAPH = N_(
    "Triggers are the people, places, feelings and times that set off the urge. Write your "
    "own in your plan; the suggestions there are a start. Some ways to handle them:"
)
TRIGGERS_BULLETS = (
    N_("Plan ahead: decide what you will do and say before a situation you know is hard."),
    N_("Avoid what you can for now: take a different route, and keep none at home."),
    N_("Have a way out: your own transport, a time to leave, and someone to text."),
    N_('Have an alcohol-free drink in your hand and a simple "No, thanks" ready.'),
    N_("Plan for payday: pay bills and buy food first, and carry less cash."),
    N_("Feelings are triggers too: stress, boredom or loneliness can be eased in other ways."),
)
SUPPORT_PARAGRAPH = N_(
    "Change is easier with people on your side. The people you can call, and their numbers, "
    "go in your own list in this plan."
)
SUPPORT_BULLETS = (
    N_("Choose two or three people you trust, and tell them about your plan."),
    N_("Tell them what helps: a call, a visit, a walk, or just listening."),
    N_("A counsellor, doctor or peer support worker can be part of your network too."),
    N_("If there is no one to ask right now, a meeting or group is a good place to start."),
)
MEETINGS_PARAGRAPH = N_(
    "Mutual-help groups are free, meet in person and online, and you can come as you are. "
    "Try a few: each group feels different."
)
MEETINGS_BULLETS = (
    N_("Alcoholics Anonymous (AA) and Narcotics Anonymous (NA): 12-step groups."),
    N_("SMART Recovery: practical tools, with a focus on skills."),
    N_("Recovery Dharma and LifeRing: other peer groups, for people who want another approach."),
    N_(
        "Some groups welcome people who are cutting down rather than stopping; for drinking, "
        "Moderation Management is one. A harm-reduction program can point you to others."
    ),
    N_("Al-Anon and Nar-Anon: groups for family and friends."),
    N_(
        "If you take medication for your recovery, you belong in any group. If a group makes "
        "you feel otherwise, try another."
    ),
)
ACTIVITIES_PARAGRAPH = N_(
    "Using often fills time, eases stress or marks the end of the day. Plan something else "
    "for those times, and give your days a shape."
)
ACTIVITIES_BULLETS = (
    N_("Keep a daily routine: regular meals, sleep at the same time, and time outside."),
    N_("Plan the hard hours, such as evenings, weekends and payday, ahead of time."),
    N_("Move your body: a walk, a swim, a class or a game."),
    N_("Pick up something you let go of, or try something new with people who do not use."),
    N_("Put the money you save towards something you want, and mark your milestones."),
)

Parts = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # paragraphs, steps, bullets
# The supports, in order; delay–distract–decide gets its last step from the chosen path.
SUPPORT_BLOCKS: dict[str, Parts] = {
    "urge-surfing": ((URGE_SURFING_PARAGRAPH,), URGE_SURFING_STEPS, ()),
    "delay-distract-decide": ((), DELAY_STEPS, ()),
    "halt": ((HALT_PARAGRAPH,), (), HALT_BULLETS),
    "triggers": ((TRIGGERS_PARAGRAPH,), (), TRIGGERS_BULLETS),
    "support-network": ((SUPPORT_PARAGRAPH,), (), SUPPORT_BULLETS),
    "meetings": ((MEETINGS_PARAGRAPH,), (), MEETINGS_BULLETS),
    "activities": ((ACTIVITIES_PARAGRAPH,), (), ACTIVITIES_BULLETS),
}

# Relapse prevention (FACTS.md §8 recurrence, §4, §5, §11.1) --------------------------------

RELAPSE_TITLE = {
    "warning-signs": N_("Warning signs"),
    "high-risk-situations": N_("High-risk situations"),
    "coping-actions": N_("Coping actions"),
    "people-to-call": N_("People to call"),
    "after-a-slip": N_("After a slip"),
    "crisis-plan": N_("Crisis plan"),
}
WARNING_SIGNS_PARAGRAPHS = (
    N_(
        "A return to old patterns usually starts before the first drink or dose: in thoughts, "
        "moods and habits. Noticing the early signs gives you time to act."
    ),
    N_("Ask someone close to you what they notice when things start to slip."),
)
HIGH_RISK_PARAGRAPH = N_(
    "These are the times and places where using is most likely. For each one, write what you "
    "will do: avoid it, leave early, take someone with you, or plan what to say."
)
COPING_STEPS = (
    N_("Pause, and name the craving or the feeling."),
    N_("Use a skill: urge surfing, delay–distract–decide, or HALT."),
    N_("Change the scene: leave, go outside, go somewhere safe."),
    N_("Reach out: call or text someone on your list."),
    N_("Look after the basics: food, water, rest."),
)
PEOPLE_PARAGRAPHS = (
    N_(
        "Keep the names and numbers of two or three people in your plan and on your phone. "
        "Tell them now that you might call, and what helps."
    ),
    N_("If no one answers, a help line can help too."),
)
# The relapse-prevention blocks that do not depend on the person, in order.
RELAPSE_BLOCKS: dict[str, Parts] = {
    "warning-signs": (WARNING_SIGNS_PARAGRAPHS, (), ()),
    "high-risk-situations": ((HIGH_RISK_PARAGRAPH,), (), ()),
    "coping-actions": ((), COPING_STEPS, ()),
    "people-to-call": (PEOPLE_PARAGRAPHS, (), ()),
}
SLIP_PARAGRAPH = N_(
    "A slip is information, not failure. Many people slip on the way to lasting change; what "
    "matters is what you do next."
)
SLIP_STEPS = (
    N_("Get safe first: do not stay alone if you feel unwell or have mixed substances."),
    N_(
        "Be kind to yourself. Shame makes the next slip more likely, and one slip does not undo "
        "your progress."
    ),
    N_("Tell someone on your list."),
    N_("Work out what led up to it, and what you could do differently next time."),
    N_("Go back to your plan the next day, or change it if it asked too much."),
    N_(
        "If slips keep happening, talk to your counsellor or doctor: more support, or another "
        "path, is a good next step, not a defeat."
    ),
)
SLIP_OPIOIDS = N_(
    "After any break from opioids, even a few days, your tolerance is lower. If you use, use "
    "much less than before, go slowly, never alone, and keep naloxone close."
)
SLIP_SEDATIVES = N_(
    "If you have been drinking or taking sedatives for several days again, do not stop "
    "suddenly again without medical advice: withdrawal can be dangerous."
)
CRISIS_PLAN_STEPS = (
    N_("If you or someone else is in danger now, call emergency services."),
    N_(
        "If you think about suicide or hurting yourself, call or text a crisis line; the lines "
        "are shown here."
    ),
    N_("Go to someone you trust, or ask them to come to you. Do not stay alone."),
    N_(
        "Put distance between you and alcohol, drugs, medicines or anything you could use to "
        "hurt yourself."
    ),
)
CRISIS_PLAN_OVERDOSE = N_(
    "If someone may be overdosing: call emergency services, give naloxone and follow the steps "
    "in this plan."
)

# Stages (FACTS.md §8) ----------------------------------------------------------------------

STAGE_TITLE = {
    "now": N_("Now: reduce the harm"),
    "next": N_("Next: a trial of stopping"),
}
NOW = {
    "taper": N_("Follow your step-down schedule until you reach your limit."),
    "supervised": N_(
        "Plan any cut with a doctor first: with what you told us, cutting down on your own is "
        "not the safe way."
    ),
    "limit": N_(
        "Keep to your limit: no more than %(day)d drinks on any day and %(week)d in a week."
    ),
    "free-days": N_("Have several drink-free days every week."),
    "no-limit": N_("Drink as little as you can: the low-risk limits are not meant for you."),
    "naloxone": N_("Carry naloxone, and show the people around you how to use it."),
    "never-use-alone": N_("Never use alone: use with someone, or call a never-use-alone line."),
    "fentanyl-test-strips": N_("Test your drugs with fentanyl test strips."),
    "syringe-services": N_(
        "Use new, sterile supplies every time, and get tested for HIV and hepatitis C."
    ),
    "medication-for-opioid-use-disorder": N_("Ask about medication for opioid use disorder."),
    "medication-for-alcohol-use-disorder": N_(
        "Ask a doctor about medication for alcohol use disorder."
    ),
    "safer-use": N_("Choose one safer-use step from the toolkit each week, and see how it goes."),
    "check-in": N_("Check in every day: what you used, your cravings and your mood."),
}
NEXT = {
    "supervised": N_(
        "Plan the stop with a doctor or a withdrawal service: for you, stopping needs medical "
        "supervision."
    ),
    "opioids": N_(
        "Plan the stop with a clinician: medication for opioid use disorder can make stopping "
        "safer and more lasting."
    ),
    "date": N_(
        "Choose a date to try stopping, for example for a month, and tell someone on your list."
    ),
    "tolerance": N_(
        "After you stop, your tolerance falls: keep naloxone, and if you use again, use much "
        "less and never alone."
    ),
    "supports": N_(
        "Lean on the supports in this plan: your coping skills, a meeting or group, and the "
        "people on your list."
    ),
    "counsellor": N_(
        "Tell your counsellor or doctor when you plan to stop: extra support in the first weeks "
        "helps."
    ),
    "retry": N_(
        "If the trial is harder than you expected, that is information, not failure: go back "
        "to the first stage and try again when you are ready."
    ),
}
STAGE_SIGNAL = N_(
    "When your harm-reduction goals have been met for about %(weeks)d weeks and your readiness "
    "to stop has gone up, it may be time for the next step. You decide when, and your "
    "counsellor can help you choose."
)
STAGE_SIGNAL_WITH_CLINICIAN = N_(
    "When your harm-reduction goals have been met for about %(weeks)d weeks and your readiness "
    "to stop has gone up, it may be time for the next step. Stopping on your own is not safe "
    "for you, so choose when together with your doctor or prescriber, who can make it safe."
)

# Personal suggestions, in the person's voice ---------------------------------------------

GOAL_STOP = {
    "alcohol": N_("Stop drinking, with support"),
    "opioids": N_("Stop using opioids, with medication if it helps me"),
    "benzodiazepines": N_("Come off benzodiazepines slowly, with my prescriber"),
    "stimulants": N_("Stop using stimulants"),
    "cannabis": N_("Stop using cannabis"),
    "tobacco": N_("Stop smoking"),
    "other": N_("Stop using"),
}
GOAL_STOP_WITH_DOCTOR = {
    "alcohol": N_("Stop drinking with a doctor's help, so that withdrawal is safe"),
    "benzodiazepines": N_("Come off benzodiazepines slowly, with my prescriber"),
    "other": N_("Stop with a doctor's help, so that withdrawal is safe"),
}
GOAL_STOP_NOW_PREGNANT = N_("Stop drinking and using now, for me and the baby")
GOAL_STOP_ON_MOUD = N_(
    "Stop using opioids other than my medication, and keep taking my methadone or buprenorphine"
)
GOAL_KEEP_MOUD = N_("Keep taking my methadone or buprenorphine every day")
GOAL_STOP_PRESCRIBED_OPIOIDS = N_(
    "Plan any change to my opioids with my prescriber, at a pace that keeps me well"
)
GOAL_SAFER = {
    "alcohol": (N_("Several drink-free days every week"),),
    "opioids": (N_("Carry naloxone every time"), N_("Never use alone")),
    "benzodiazepines": (
        N_("Talk to a prescriber about cutting down safely"),
        N_("Never mix with alcohol or opioids"),
    ),
    "stimulants": (N_("Test for fentanyl, and never use alone"), N_("Fewer days of use each week")),
    "cannabis": (N_("Fewer days of use each week"), N_("Lower-strength products, smaller amounts")),
    "tobacco": (
        N_("Fewer cigarettes each day, with nicotine replacement"),
        N_("A smoke-free home"),
    ),
    "other": (N_("Start low and go slow"), N_("Never use alone")),
}
GOAL_LIMIT = N_("No more than %(day)d drinks on any day and %(week)d in a week")
GOAL_DRINK_LESS = N_("Drink less, with my doctor's help")
GOAL_TEST_STRIPS = N_("Test with fentanyl test strips")
GOAL_MOUD = N_("Ask about buprenorphine or methadone")
GOAL_AS_PRESCRIBED = N_(
    "Take my medicine as prescribed, and talk to my prescriber before any change"
)
GOAL_SEE_DOCTOR_FIRST = N_("See a doctor before I change how much I use, so that it is safe")
GOAL_CHECK_IN = N_("Check in every day")
GOAL_YOUTH = N_(
    "Talk to an adult I trust, such as a school counsellor or a doctor, about what I use"
)
GOAL_SUPPORT_WEEKLY = N_("Go to a meeting or see a counsellor every week")
GOAL_NEXT_STAGE = N_("Try a period of not using when my goals have held for about %(weeks)d weeks")
GOAL_NEXT_STAGE_WITH_CLINICIAN = N_(
    "Plan a trial of stopping with my doctor when my goals have held for about %(weeks)d weeks"
)

TRIGGERS = {
    "alcohol": (
        N_("Payday"),
        N_("Being around people who are drinking"),
        N_("Feeling lonely or bored in the evening"),
        N_("Stress at work or at home"),
        N_("The end of the week"),
    ),
    "opioids": (
        N_("Pain"),
        N_("Seeing people I used with"),
        N_("Feeling sick or restless"),
        N_("Having cash on me"),
        N_("Feeling low or anxious"),
    ),
    "benzodiazepines": (
        N_("Trouble sleeping"),
        N_("Feeling anxious or panicky"),
        N_("Stressful days"),
        N_("Drinking alcohol"),
    ),
    "stimulants": (
        N_("Going out at the weekend"),
        N_("Drinking alcohol"),
        N_("Payday"),
        N_("Feeling tired and needing energy"),
        N_("Being around people who use"),
    ),
    "cannabis": (
        N_("Boredom"),
        N_("Trouble sleeping"),
        N_("Friends who smoke"),
        N_("Stress after work"),
    ),
    "tobacco": (
        N_("Coffee, or the end of a meal"),
        N_("Stress"),
        N_("Drinking alcohol"),
        N_("Breaks at work"),
        N_("Being around people who smoke"),
    ),
    "other": (N_("Stress"), N_("Being around people who use"), N_("Feeling low"), N_("Boredom")),
}
HIGH_RISK = {
    "alcohol": (
        N_("Parties, bars and celebrations"),
        N_("Evenings alone at home"),
        N_("Having alcohol in the house"),
        N_("After an argument or bad news"),
    ),
    "opioids": (
        N_("Places where I used to buy or use"),
        N_("Coming out of hospital, detox or jail"),
        N_("Being offered drugs"),
        N_("Nights alone with cravings"),
    ),
    "benzodiazepines": (
        N_("Nights when I cannot sleep"),
        N_("Having pills in the house"),
        N_("Drinking alcohol"),
    ),
    "stimulants": (
        N_("Nights out, parties and clubs"),
        N_("Drinking alcohol"),
        N_("Having cash on payday"),
        N_("People who sell or use"),
    ),
    "cannabis": (
        N_("Evenings with nothing planned"),
        N_("Being with friends who smoke"),
        N_("Having it in the house"),
    ),
    "tobacco": (
        N_("Drinking alcohol"),
        N_("Stressful moments at work"),
        N_("Being with people who smoke"),
    ),
    "other": (
        N_("Parties and nights out"),
        N_("Being offered drugs"),
        N_("Having it in the house"),
    ),
}
WARNING_SIGNS = (
    N_("Skipping check-ins"),
    N_('Thinking "just one won\'t matter"'),
    N_("Missing meetings, or avoiding people who support me"),
    N_("Sleeping badly or skipping meals"),
    N_("Keeping secrets about where I go or what I do"),
    N_("Feeling so sure I am fine that I drop my plan"),
)
WARNING_SIGNS_SAFER = (
    N_("Skipping check-ins"),
    N_("Using more often, or more than I planned"),
    N_("Skipping my safety steps"),
    N_("Sleeping badly or skipping meals"),
    N_("Keeping secrets about where I go or what I do"),
    N_("Feeling so sure I am fine that I drop my plan"),
)
WARNING_SIGN_EXTRA = {
    "alcohol": N_('Buying alcohol "for guests"'),
    "opioids": N_("Getting back in touch with people I used with"),
    "stimulants": N_("Getting back in touch with people I used with"),
}
COPING = (
    N_("Ride out the craving like a wave"),
    N_("Wait 15 minutes, do something else, then decide"),
    N_("Check: am I hungry, angry, lonely or tired?"),
    N_("Call or text someone on my list"),
    N_("Leave the situation"),
    N_("Go for a walk"),
)
COPING_LIMIT = N_("Count my drinks and stop at my limit")
COPING_SAFER = N_("Use less, go slow, and never alone")
ACTIVITIES = (
    N_("A walk or exercise after work"),
    N_("Cooking a proper meal"),
    N_("Calling or meeting a friend"),
    N_("A hobby I let go of"),
    N_("Volunteering or a class"),
    N_("Going to bed at a regular time"),
)
MEETING_AA = N_("Alcoholics Anonymous (AA)")
MEETING_NA = N_("Narcotics Anonymous (NA)")
MEETING_SMART = N_("SMART Recovery")
MEETING_STOP_SMOKING = N_("A stop-smoking group or service")
MEETING_HARM_REDUCTION = N_("A harm-reduction program near me")
MEETING_MODERATION = N_("Moderation Management")
AFTER_SLIP = (
    N_("Get safe first, and not stay alone"),
    N_("Tell someone on my list"),
    N_("Be kind to myself: a slip is information, not failure"),
    N_("Write down what led up to it"),
    N_("Go back to my plan the next day"),
)
AFTER_SLIP_OPIOIDS = N_("Use much less than before, go slow, never alone: my tolerance is lower")
AFTER_SLIP_SEDATIVES = N_(
    "Talk to a doctor before stopping again if I have been drinking or using sedatives for "
    "several days"
)
CRISIS_PLAN = (
    N_("Call a crisis line, or emergency services if I am in danger"),
    N_("Go to someone I trust, or ask them to come over"),
    N_("Put alcohol, drugs and medicines out of reach"),
)
CRISIS_PLAN_TELL = N_("Tell my doctor or counsellor about my thoughts")
CRISIS_PLAN_OVERDOSE_MINE = N_("If someone overdoses: call for help, give naloxone, stay with them")
CRISIS_PLAN_WITHDRAWAL = N_("A seizure, confusion or hallucinations: call emergency services")
