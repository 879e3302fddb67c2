"""The words of a recovery plan (assembled by :mod:`waymark.clinical.plan`).

Every sentence is ours, written from FACTS.md in plain, warm words, and marked with N_() so
it can be translated. Two rules hold for all of them: no phone numbers (the help lines are
configuration: a block asks for them with ``Block.lines``) and no doses (FACTS.md §9:
medicines are facts to talk over with a prescriber, never an amount). Where FACTS marks a
fact ⚠️, the sentence says it is not certain.
"""

from __future__ import annotations

from waymark.clinical.text import N_

# Sections ---------------------------------------------------------------------------------

SECTION_TITLE = {
    "safety": N_("Safety first"),
    "toolkit": N_("Harm-reduction toolkit"),
    "abstinence-supports": N_("Supports for stopping"),
    "relapse-prevention": N_("Relapse-prevention plan"),
}
SUPPORTS_TITLE_HARM_REDUCTION = N_("Supports for the changes you make")
TOOLKIT_TITLE_ABSTINENCE = N_("Safety and treatment tools")
SECTION_INTRO = {
    "safety": N_(
        "These come first because they keep you safe. They stay in your plan whatever path "
        "you choose."
    ),
    "toolkit": N_(
        "Practical ways to lower the risks, chosen from what you told us. Use what fits you."
    ),
    "abstinence-supports": N_(
        "Tools for stopping and staying stopped: for cravings, for the situations that are "
        "hard, and for the people and routines that help."
    ),
    "relapse-prevention": N_(
        "A plan for hard moments, made before they come. Your own warning signs, situations, "
        "actions and people go in the lists in this plan; these notes explain each part."
    ),
}
SUPPORTS_INTRO_HARM_REDUCTION = N_(
    "Tools that help with any change, including using less: for cravings, for hard "
    "situations, and for the people who are on your side."
)

# Safety blocks (FACTS.md §4, §5, §11) -------------------------------------------------------

CRISIS_STEPS = (
    N_(
        "Call or text a crisis line now; the lines are shown here. If you are in danger, call "
        "emergency services."
    ),
    N_("Stay with someone you trust, or ask someone to come and be with you."),
    N_(
        "Put distance between you and anything you could use to hurt yourself: ask someone to "
        "keep medicines, drugs, alcohol or weapons away from you for now."
    ),
    N_("Try not to drink or use while you feel like this: it can make the thoughts stronger."),
    N_("Tell a doctor or counsellor about these thoughts as soon as you can."),
)
WITHDRAWAL_STEPS = (
    N_("Do not stop suddenly, or cut down sharply, on your own."),
    N_(
        "Talk to a doctor, or a withdrawal-management (detox) service, before you change how "
        "much you use. Ask about medicines that keep withdrawal safe and more comfortable."
    ),
    N_("Until you have that help, avoid going without all at once: the sudden stop is the danger."),
)
WITHDRAWAL_SIGNS = N_(
    "Shaking, sweating, a racing heart, or feeling anxious or sick as it wears off are signs "
    "of withdrawal: get medical advice the same day."
)
EMERGENCY_SIGNS = N_(
    "A seizure (fit), confusion, or seeing or hearing things that are not there: call "
    "emergency services straight away."
)
NO_TAPER_STEPS = (
    N_(
        'Ask a doctor or an addiction service for an appointment. You can say: "I want to cut '
        'down or stop, and I need help to do it safely."'
    ),
    N_("Tell them how much you use, how often, and how you feel when you go without."),
)
NO_TAPER_BENZODIAZEPINES = N_(
    "Benzodiazepines are reduced slowly, often over months, with a prescriber who adjusts the "
    "pace to how you feel. After regular use they are never stopped all at once."
)
NO_TAPER_OPIOIDS = N_(
    "For opioids, a clinician can offer medication, such as buprenorphine or methadone, that "
    "makes cutting down or stopping safer."
)
NO_TAPER_PRESCRIBED_OPIOIDS = N_(
    "Do not stop prescribed opioids, methadone or buprenorphine suddenly: plan any change "
    "with your prescriber."
)
PREGNANCY_STEPS = (
    N_(
        "Tell your prenatal care provider (a midwife, obstetrician or family doctor) about your "
        "use. They are there to help you and the baby, not to judge."
    ),
    N_("Ask them to connect you with addiction care that works alongside pregnancy care."),
)
PREGNANCY_OPIOIDS = (
    N_("Do not stop opioids suddenly: withdrawal in pregnancy can harm you and the baby."),
    N_(
        "Medication for opioid use disorder is the standard care in pregnancy; ask which one "
        "suits you."
    ),
)
PREGNANCY_ALCOHOL = N_(
    "No amount of alcohol is known to be safe in pregnancy. If you drink every day, or feel "
    "unwell when you stop, stop with medical help rather than all at once."
)
PREGNANCY_TOBACCO = N_("Ask about help to stop smoking that is safe in pregnancy.")
MIXING_BULLETS = (
    N_("Avoid mixing opioids with alcohol, benzodiazepines or sleeping medicines."),
    N_("If you do mix, use less of each, one at a time, with time in between."),
    N_("Do not use alone, and keep naloxone where the people with you can reach it."),
    N_(
        "Naloxone reverses the opioid only. After giving it, still call emergency services and "
        "keep helping the person breathe."
    ),
)
TOLERANCE_BULLETS = (
    N_(
        "Tolerance falls after detox, a hospital stay, jail or prison, leaving treatment, "
        "stopping naltrexone, or just a few days without."
    ),
    N_(
        "If you use again: use much less than before, test it first, go slowly, do not use "
        "alone, and keep naloxone close."
    ),
    N_(
        "Medication for opioid use disorder lowers the risk of dying from an overdose; detox on "
        "its own does not."
    ),
)
NALOXONE_STEPS = (
    N_(
        'Call emergency services. "Someone is not breathing" or "someone will not wake up" is '
        "enough to say. In most US states, Good Samaritan laws protect the person who calls."
    ),
    N_(
        "Check for the signs: no response when you shout or rub hard on the breastbone; slow, "
        "shallow or no breathing; blue or grey lips or fingertips; gurgling or snoring sounds; "
        "tiny pupils."
    ),
    N_("Support their breathing: if you know how, give one rescue breath every 5 seconds."),
    N_(
        "Give naloxone: spray it into one nostril. If there is no response after 2 to 3 "
        "minutes, give another dose in the other nostril with a new device."
    ),
    N_(
        "If they are breathing, turn them on their side (the recovery position). Stay with "
        "them: naloxone can wear off before the opioid does, so the overdose can come back."
    ),
    N_(
        "When they wake they may feel sick and in withdrawal. Help them not to use again "
        "straight away."
    ),
)
SEE_TOOLKIT = N_("The tools further down this plan explain how.")

# Toolkit blocks (FACTS.md §3, §4, §5, §9) --------------------------------------------------

TOOLKIT_TITLE = {
    "abstinence-safer": N_("Stopping would be safer for your health"),
    "get-naloxone": N_("Naloxone: get it, carry it, show others"),
    "use-with-someone": N_("Never use alone"),
    "test-strips": N_("Fentanyl test strips"),
    "syringe-services-testing": N_("Syringe services and testing"),
    "moud": N_("Medication for opioid use disorder"),
    "maud": N_("Medication for alcohol use disorder"),
    "drinking-limits": N_("Drinking limits"),
    "taper": N_("Your step-down schedule"),
    "taper-refused": N_("Why there is no home schedule"),
}
ABSTINENCE_SAFER_OPENING = N_(
    "This plan follows the path you chose. We also want to be honest with you: because of "
    "your health, stopping would be the safer option."
)
ABSTINENCE_SAFER_CLOSING = N_(
    "You can change your path at any time, and everything in this toolkit helps today."
)
NALOXONE_PARAGRAPH = N_(
    "Naloxone reverses an opioid overdose for long enough to get help. The steps to use it "
    "are in the safety section above."
)
NALOXONE_BULLETS = (
    N_(
        "Where to get it: pharmacies sell naloxone nasal spray without a prescription, and "
        "harm-reduction and syringe services programs often give it out."
    ),
    N_("Carry it with you, and keep one at home where others can find it."),
    N_("Show the people around you where it is and how to use it."),
    N_(
        'Naloxone is not thought to reverse xylazine ("tranq") or medetomidine, sedatives now '
        "found in some drugs. Give it anyway, because fentanyl is usually there too, and keep "
        "supporting breathing."
    ),
)
NALOXONE_STIMULANTS = N_(
    "Fentanyl has been found in stimulants too, so carry naloxone even if you do not use opioids."
)
USE_WITH_SOMEONE_PARAGRAPH = N_(
    "If you overdose when no one is there, no one can help. Having someone around is one of "
    "the simplest ways to stay alive."
)
USE_WITH_SOMEONE_BULLETS = (
    N_(
        "Use with someone you trust who has naloxone and knows the steps. Take turns, so you "
        "are not both affected at the same time."
    ),
    N_(
        "If you do use alone, call a never-use-alone line. The person on the line asks where "
        "you are, checks on you every few minutes, and sends emergency help if you stop "
        "answering."
    ),
    N_("Or ask a friend to call or come round, and to call for help if you do not answer."),
)
TEST_STRIPS_PARAGRAPH = N_(
    "Fentanyl is in much of the drug supply, including pills, powders and stimulants. Test "
    "strips show whether it is there."
)
TEST_STRIPS_STEPS = (
    N_("Follow the instructions that come with your strips: brands differ."),
    N_(
        "Usually you mix a little of the drug, or what is left in the bag, with water, and dip "
        "the strip in for a few seconds."
    ),
    N_(
        "Read it after the time the instructions give. On most strips one line means fentanyl "
        "was found, and two lines mean it was not."
    ),
)
TEST_STRIPS_LIMITS = (
    N_("A strip shows whether fentanyl is there, not how much."),
    N_(
        "A negative result is not a guarantee: fentanyl can be spread unevenly, and a strip may "
        "miss some similar drugs."
    ),
    N_(
        "These strips do not test for xylazine or medetomidine; there are separate strips "
        "for those."
    ),
    N_(
        "If fentanyl is found: use less, go slowly, do not use alone and keep naloxone ready, "
        "or choose not to use it."
    ),
    N_(
        "Whether test strips are legal depends on where you live; many US states allow them. A "
        "harm-reduction program can tell you where to get them."
    ),
)
SYRINGE_PARAGRAPH = N_(
    "Syringe services programs give out new, sterile needles and other supplies, take back "
    "used ones, hand out naloxone and offer free testing for HIV and hepatitis C. You do not "
    "have to be ready to stop, and there is no judgement."
)
SYRINGE_BULLETS = (
    N_(
        "Use a new, sterile needle and syringe every time, and never share needles, syringes, "
        "cookers, filters or water."
    ),
    N_(
        "Get tested for HIV and hepatitis C, and again from time to time. If a test is "
        "positive, the program can connect you with treatment."
    ),
    N_(
        "Clean the skin before you inject, and change sites. See a doctor soon for a red, hot, "
        "swollen or painful area, or a fever: infections can become serious."
    ),
)
MOUD_PARAGRAPHS = (
    N_(
        "Medication for opioid use disorder eases cravings and withdrawal and lowers the risk "
        "of dying from an overdose. Detox on its own does not lower that risk."
    ),
    N_(
        "It fits abstinence-based recovery as well as harm reduction: taking a prescribed "
        'medicine for opioid use disorder is treatment, not "using".'
    ),
)
MOUD_BULLETS = (
    N_(
        "Buprenorphine: a partial opioid, taken as a film or tablet under the tongue or as a "
        "long-acting injection. Since 2023 many more clinicians can prescribe it, including "
        "family doctors. Starting it too soon after other opioids can bring on sudden "
        "withdrawal, so the prescriber tells you when to start."
    ),
    N_(
        "Methadone: a full opioid, given through opioid treatment programs (clinics certified "
        "to provide it). Since 2024 the rules let more people take doses home sooner, and you "
        "no longer need a long history of opioid use, or to attend counselling, to get it."
    ),
    N_(
        "Naltrexone: blocks opioids, as a monthly injection. You need to be off opioids first; "
        "the time needed is often said to be 7 to 10 days, but it is not certain, so the "
        "prescriber will tell you. After stopping it your tolerance is low, so the overdose "
        "risk is higher."
    ),
    N_(
        "If you already take buprenorphine or methadone, do not stop suddenly: plan any change "
        "with your prescriber."
    ),
)
MOUD_STEPS = (
    N_(
        "Ask your doctor, a community health center or an addiction service. You can say: "
        '"I use opioids, and I would like to talk about buprenorphine or methadone."'
    ),
    N_("Ask what is available near you, how soon you can start, and what it costs."),
    N_(
        "Opioid treatment programs offer methadone and often buprenorphine; some can start "
        "buprenorphine by telehealth."
    ),
)
MAUD_PARAGRAPHS = (
    N_(
        "Three medicines are approved in the US for alcohol use disorder. These are facts to "
        "talk over with a prescriber, who decides with you whether one suits you and how to "
        "take it. Never start one on your own."
    ),
    N_("Medication fits abstinence-based recovery: it is a tool, like counselling or a meeting."),
)
MAUD_BULLETS = (
    N_(
        "Naltrexone: can reduce cravings and heavy drinking; a daily tablet or a monthly "
        "injection. It is not for people who use opioids or may need opioid painkillers, or "
        "who have acute hepatitis or liver failure. Carry a card that says you take it."
    ),
    N_(
        "Acamprosate: helps you stay stopped once you have stopped drinking and withdrawal is "
        "over; it does not treat withdrawal. The doctor checks your kidneys first."
    ),
    N_(
        "Disulfiram: makes you feel very ill if you drink, even up to 1 to 2 weeks after the "
        "last tablet. It is started only after at least 12 hours without alcohol, and suits "
        "people whose goal is not to drink at all. It is not for people with severe heart "
        "disease or on some medicines, such as metronidazole; avoid products that contain "
        "alcohol, such as some mouthwashes."
    ),
)
MAUD_STEPS = (
    N_(
        "Tell your doctor how much you drink, and that you would like help with cravings or "
        "with cutting down or stopping."
    ),
    N_('Ask: "Could a medicine such as naltrexone or acamprosate help me?"'),
    N_(
        "Tell them about every other medicine you take, and about any liver, kidney or heart "
        "problems."
    ),
)

SAFER_TITLE = {
    "alcohol": N_("Safer drinking"),
    "opioids": N_("Safer opioid use"),
    "benzodiazepines": N_("Safer benzodiazepine use"),
    "stimulants": N_("Safer stimulant use"),
    "cannabis": N_("Safer cannabis use"),
    "tobacco": N_("Less harm from tobacco"),
    "other": N_("Safer use of other drugs"),
}
SAFER_DECIDE_LIMIT = N_("Decide your limit before you start, and count your drinks.")
SAFER_BULLETS = {
    "alcohol": (
        N_("Eat before and while you drink, and have water or a soft drink between drinks."),
        SAFER_DECIDE_LIMIT,
        N_(
            "Know a standard drink: a 12 oz can of 5% beer, a 5 oz glass of 12% wine, or a "
            "1.5 oz shot of 40% spirits."
        ),
        N_("Do not drive after drinking; plan how you will get home."),
        N_("Do not mix alcohol with opioids, benzodiazepines or sleeping medicines."),
        N_("Keep less alcohol at home, and buy smaller sizes."),
    ),
    "opioids": (
        N_("Carry naloxone, and make sure the people with you know how to use it."),
        N_("Test your drugs with fentanyl test strips."),
        N_(
            "Start low and go slow: try a small amount first, especially with a new supply or "
            "after any break."
        ),
        N_("Do not mix with alcohol, benzodiazepines or sleeping medicines."),
        N_("Never use alone."),
    ),
    "benzodiazepines": (
        N_("After regular use, do not stop suddenly: reduce only with a prescriber."),
        N_("Do not mix with alcohol or opioids: together they can stop your breathing."),
        N_(
            "Pills that do not come from a pharmacy may be fakes that contain other drugs, "
            "including fentanyl: test them, and do not use alone."
        ),
        N_("Do not drive while you feel the effects."),
    ),
    "stimulants": (
        N_(
            "Fentanyl has been found in cocaine, meth and pressed pills: test with fentanyl "
            "test strips, carry naloxone, and do not use alone."
        ),
        N_("Start small and pace yourself; take breaks between sessions."),
        N_("Drink water, eat and try to sleep: stimulants hide tiredness and hunger."),
        N_("Use your own straw or pipe: sharing can spread hepatitis C."),
        N_("Chest pain, a very high temperature, a fit or confusion: call emergency services."),
    ),
    "cannabis": (
        N_("Choose lower-strength products and smaller amounts."),
        N_("With edibles, wait at least two hours before taking more: they are slow to start."),
        N_("Do not drive after using."),
        N_("Avoid mixing with alcohol, which makes the effects stronger."),
        N_("Have days off each week, and try not to use first thing in the day."),
    ),
    "tobacco": (
        N_(
            "Nicotine replacement (patches, gum, lozenges) and stop-smoking medicines make "
            "quitting easier: ask a doctor or pharmacist."
        ),
        N_("If you are cutting down, nicotine replacement can take the edge off cravings."),
        N_("Keep your home and car smoke-free."),
    ),
    "other": (
        N_(
            "If you are not sure what a drug is or how strong it is, start with a small amount "
            "and wait before taking more."
        ),
        N_("Test it if you can, and do not use alone."),
        N_(
            "If it is a sleeping pill, GHB or another sedative: do not mix it with alcohol or "
            "opioids, and do not stop suddenly after regular use."
        ),
        N_(
            "Ask a harm-reduction program about the drug you use: they give practical advice "
            "without judgement."
        ),
    ),
}
SAFER_PRESCRIBED = (
    N_(
        "Take your medicine as prescribed, and talk to your prescriber before you change how "
        "much you take."
    ),
    N_("Tell your prescriber about alcohol and any other drugs or medicines you take."),
    N_("Keep your medicine safe, away from other people."),
)
SAFER_PRESCRIBED_EXTRA = {
    "opioids": N_("Keep naloxone at home, and show someone how to use it."),
    "benzodiazepines": N_(
        "After regular use, do not stop suddenly: reduce only with a prescriber."
    ),
}

LIMITS_PARAGRAPH = N_(
    "If you drink, staying within these low-risk limits from the US National Institute on "
    "Alcohol Abuse and Alcoholism (NIAAA) keeps the chance of alcohol problems low. Less is "
    "better: every drink you cut counts, even before you are within the limits."
)
LIMITS_NONE_FOR_YOU = N_(
    "So there is no number to aim for here: for you, less is always better, and every drink "
    "you cut counts. Ask a doctor what is safe for you."
)
LIMIT_DAY = N_("No more than %(day)d standard drinks on any day.")
LIMIT_WEEK = N_("No more than %(week)d standard drinks in a week.")
LIMIT_FREE_DAYS = N_("Several drink-free days every week.")
LIMIT_FREE_DAYS_LATER = N_(
    "Drink-free days too, once your doctor says it is safe: while your body is used to "
    "alcohol, a whole day without could bring on withdrawal."
)
LIMITS_SEX_NOT_GIVEN = N_(
    "Because you did not tell us your sex, these are the more careful limits."
)
LIMITS_OLDER_MAN = N_("After 65, the more careful limits apply.")
LIMITS_WHO_SHOULD_NOT = N_(
    "Some people should not drink at all: anyone pregnant or trying to get pregnant, under "
    "21, driving or using machinery, taking medicines that react with alcohol, with a health "
    "condition that alcohol makes worse, or who finds they cannot keep to a limit."
)
LIMITS_CANNOT_KEEP = N_(
    "If you find you cannot keep to a limit, that is useful to know, not a failure: stopping "
    "for a while may be easier, and you can change your plan at any time."
)
NOT_FOR_YOU = {
    "pregnant": N_(
        "You are pregnant, so the safest choice is not to drink at all. Please talk to your "
        "prenatal care provider; if you drink every day, stop with medical help."
    ),
    "young": N_(
        "At your age the safest choice is not to drink: these limits are for adults aged 21 "
        "and over."
    ),
    "condition": N_(
        "Alcohol makes liver disease, pancreatitis and hepatitis C worse, so these limits are "
        "not meant for you. Ask your doctor: they may advise not drinking at all. Until then, "
        "every drink less helps."
    ),
    "medication": N_(
        "Alcohol makes sedating medicines stronger and more dangerous. Ask your prescriber "
        "whether any alcohol is safe with yours."
    ),
}

TAPER_PARAGRAPH = N_(
    "This schedule steps your drinking down gradually, from %(start)s to %(target)s standard "
    "drinks a day, over %(days)d days. Each day's number is the most for that day. A little "
    "less is fine if you feel well, but do not cut faster than the schedule: cutting down "
    "too quickly can bring on withdrawal."
)
TAPER_STEPS = (
    N_(
        "For the first week, drink no more than you do now, at a steady amount each day, to "
        "steady yourself."
    ),
    N_("Then keep to each day's limit in the schedule, counting in standard drinks."),
    N_("Have someone with you who knows your plan, especially in the first days of cutting down."),
    N_(
        "If you feel shaky, sweaty, anxious or sick, stop cutting: go back to the last amount "
        "at which you felt steady, stay there, and talk to a doctor before going on more slowly."
    ),
)
TAPER_OPTION = N_(
    "Some people find it easier to step down gradually than to stop on one day. If you stop "
    "on one day and feel shaky, sweaty or anxious, talk to a doctor."
)
# The same choice where withdrawal is possible: stopping on one day alone is not one of them
# (FACTS.md §11.2, the finding `medically-supervised-withdrawal`).
TAPER_OPTION_SUPERVISED = N_(
    "With the withdrawal risk in your answers, do not stop on one day on your own: step down "
    "with this schedule, or stop with a doctor's help, which is the safer way."
)
TAPER_CAUTION = N_(
    "This follows advice from UK alcohol services, and the evidence for cutting down on your "
    "own is limited. A doctor can make it safer and more comfortable: medically managed "
    "withdrawal is the safer way."
)
TAPER_REFUSED_ASK = N_(
    "Ask for that help soon, and tell them how much you drink and how you feel when you go without."
)
NO_HOME_TAPER = N_(
    "Your result says not to cut down on your own with a home schedule, so this plan does not "
    "make one."
)

Parts = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # paragraphs, steps, bullets
# The toolkit blocks that follow from safety ids, in order.
TOOLKIT_BLOCKS: dict[str, Parts] = {
    "get-naloxone": ((NALOXONE_PARAGRAPH,), (), NALOXONE_BULLETS),
    "use-with-someone": ((USE_WITH_SOMEONE_PARAGRAPH,), (), USE_WITH_SOMEONE_BULLETS),
    "test-strips": ((TEST_STRIPS_PARAGRAPH,), TEST_STRIPS_STEPS, TEST_STRIPS_LIMITS),
    "syringe-services-testing": ((SYRINGE_PARAGRAPH,), (), SYRINGE_BULLETS),
    "moud": (MOUD_PARAGRAPHS, MOUD_STEPS, MOUD_BULLETS),
    "maud": (MAUD_PARAGRAPHS, MAUD_STEPS, MAUD_BULLETS),
}

# Drinking limits where a clinician plans any cutting down (FACTS.md §4.1, §11.2) ------------
LIMITS_WITH_CLINICIAN = N_(
    "No drinking limit is given here: with the withdrawal risk in your answers, cutting down "
    "on your own is not safe. A doctor can plan any change with you, and keep it safe."
)
# The same where no withdrawal danger is known, but a finding asks for a clinician (a sedative,
# or opioids: `no-self-taper`): the reason is not withdrawal from alcohol.
LIMITS_WITH_CLINICIAN_OTHER = N_(
    "No drinking limit is given here: your result asks you to plan any cutting down with a "
    "clinician, who can plan a change in your drinking together with the rest, and keep it "
    "safe."
)

# The wallet card: one short line for each of the person's dangers (CONTRACTS.md §3c) --------
WALLET_DO_NOT_STOP_SUDDENLY = N_(
    "Do not stop drinking or sedatives suddenly: get medical help to stop."
)
WALLET_IF_SEIZURE = N_("If someone has a seizure:")
WALLET_DO_NOT_MIX = N_(
    "Do not mix opioids with alcohol, benzodiazepines or other sedatives: breathing can stop."
)
WALLET_LOWER_TOLERANCE = N_(
    "After a break, even a few days, use much less than before, and never alone."
)
WALLET_PREGNANCY = N_("I am pregnant: I need prenatal care and addiction care together.")
WALLET_PREGNANCY_OPIOIDS = N_(
    "I use opioids: I must not stop them suddenly. Buprenorphine or methadone is the standard "
    "care in pregnancy."
)
WALLET_YOUTH = N_(
    "Waymark is made for adults. Talk to an adult you trust, a school counsellor or nurse, or "
    "a doctor. In a crisis, use the lines on this card."
)
WALLET_NEVER_ALONE = N_("Never use alone: have someone with you, or call a never-use-alone line.")
# Short versions of the crisis and naloxone steps, for a panel the size of a credit card; the
# plan itself keeps the full ones (FACTS.md §11.1, §5).
WALLET_CRISIS_STEPS = (
    N_("Call or text a crisis line now."),
    N_("Stay with someone you trust."),
    N_("Keep away from anything you could hurt yourself with."),
)
WALLET_NALOXONE_STEPS = (
    N_("Call emergency services."),
    N_(
        "Give naloxone if you have it; if there is no response in 2 to 3 minutes, give "
        "another dose."
    ),
    N_("Give rescue breaths if they are not breathing."),
    N_("Lay them on their side, in the recovery position."),
    N_("Stay with them until help arrives."),
)
