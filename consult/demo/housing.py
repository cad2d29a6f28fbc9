"""The closed demo consultation: AI that sorts council housing repair requests by urgency."""

from __future__ import annotations

from datetime import timedelta

from consult.demo.org_voice import ORG_CLOSINGS, ORG_STANCES
from consult.demo.specs import ConsultationSpec, Organisation, Phrasebook, QuestionSpec, ToolSpec, Topic, prose

CHANNELS = (
    "By phone",
    "Online form or app",
    "By email",
    "In person to a housing officer or caretaker",
    "I do not rent from the council",
)

HOUSING = ConsultationSpec(
    slug="ai-triage-of-housing-repair-requests",
    title="Using AI to sort council housing repair requests by urgency",
    department="housing-and-neighbourhoods",
    summary=prose(
        """
        Millbridge Borough Council receives around 6,000 repair requests a month from its tenants. We
        are proposing, with the support of the Ministry for Housing and Neighbourhoods, to pilot an AI
        tool that reads each request and suggests how urgent it is and which trade should deal with it.

        At the moment every request waits in a queue until a repairs officer can read it. On a busy
        Monday that can take two days, even for problems that should be fixed within 24 hours. The
        tool would read requests as soon as they arrive and put the ones that look urgent at the top.

        A repairs officer would still check every suggestion before a job is booked, and tenants
        could still report repairs in all the ways they do now. We want to know what tenants think,
        and what would give them confidence that urgent repairs, especially damp, mould, leaks and
        loss of heating, would never be missed.
        """
    ),
    contact_name="Housing Repairs Improvement Team",
    contact_email="repairs-consultation@example.gov.uk",
    opens_in=-timedelta(weeks=10),
    closes_in=-timedelta(days=14),
    is_published=True,
    tool=ToolSpec(
        tool_name="Repairs Triage Model",
        description=prose(
            """
            The Repairs Triage Model reads the description of a repair that a tenant gives by phone,
            online form or app, and any photos they attach. It suggests a priority (emergency within 24
            hours, urgent within 5 working days, or routine within 28 days) and the trade needed, such
            as plumber, electrician or damp specialist.

            It is a text and image classifier trained on four years of the council's past repair
            requests and the priorities that repairs officers gave them. It does not book jobs,
            contact tenants or decide anything on its own.
            """
        ),
        purpose=prose(
            """
            To make sure urgent requests are read first rather than waiting their turn in a queue,
            and to give repairs officers more time to speak to tenants about complicated or recurring
            problems such as damp and mould.
            """
        ),
        decision_role=prose(
            """
            The model suggests a priority and a trade. A repairs officer reads every request and its
            suggestion, and decides the priority before a job is booked. Requests the model marks as a
            possible emergency are checked by an officer within 15 minutes during working hours and by
            the out-of-hours team at other times.
            """
        ),
        human_oversight=prose(
            """
            Officers can and do overrule the suggestion; every change is recorded and reviewed monthly
            to see where the model goes wrong. A manager reviews a sample of routine-priority requests
            each week to check that nothing urgent has been placed too low.
            """
        ),
        how_to_challenge=prose(
            """
            Tenants can ask for the priority of any repair to be reviewed by calling the repairs line
            or speaking to their housing officer, and can use the council's complaints procedure and
            then the Housing Ombudsman, as now.
            """
        ),
        data_used=prose(
            """
            The text of the repair request, any photos attached, the type of property and the repair
            history of the property. It does not use the tenant's name, age, disability, ethnicity or
            rent account. Photos are kept with the repair record for six years, as now.
            """
        ),
        risks=prose(
            """
            The model could place an urgent repair too low, particularly when a tenant describes it in
            an unusual way or briefly. It may learn past patterns that were unfair, for example if some
            kinds of request were routinely given a lower priority in the past. Tenants may feel their
            requests are being judged by a machine.
            """
        ),
        mitigations=prose(
            """
            An officer checks every request. Words and photos linked with damp, mould, gas, electrics,
            leaks and loss of heating or hot water always place a request in the urgent queue whatever
            the model suggests. The model's accuracy is measured monthly against officers' decisions,
            broken down by estate and by how the request was made, and the results are published.
            """
        ),
        owner="Head of Housing Repairs, Millbridge Borough Council",
        supplier="Built by the council's data team with funding from the Ministry for Housing and Neighbourhoods",
    ),
    questions=(
        QuestionSpec(
            role="agree",
            kind="agreement",
            text="To what extent do you agree that the council should use AI to help sort repair requests by urgency?",
        ),
        QuestionSpec(role="why", kind="free_text", text="Why do you say that?", max_length=2000, explains="agree"),
        QuestionSpec(
            role="channel",
            kind="single_choice",
            text="How do you usually report a repair?",
            options=CHANNELS,
        ),
        QuestionSpec(
            role="trust",
            kind="free_text",
            text="What would make you confident that urgent repairs will not be missed?",
            hint="For example, who should check the tool and what tenants should be told.",
            is_required=False,
            max_length=2000,
        ),
    ),
)

TOPICS = (
    Topic(
        key="urgency",
        worry="",
        weight=1.6,
        against=(
            "Damp and mould get reported as routine and then left for months, and a computer will make that worse.",
            "If it decides a leak isn't urgent, the ceiling comes down.",
            "A few words typed in a hurry can't tell you how bad something really is.",
            "Urgent repairs get missed now by people, and I don't see how a program knows better.",
            "Mould is a health problem, not a routine job, and I don't trust a machine to see the difference.",
            "A leak that looks small in a photo can be soaking through the whole wall.",
        ),
        for_=(
            "Anything that gets emergencies looked at the same day is good.",
            "Right now urgent jobs sit in the same queue as a dripping tap, which is mad.",
            "If it puts the urgent ones at the top it should stop things being forgotten.",
            "Having no heating or hot water should be dealt with the same day, and this could make that happen.",
            "Sorting the emergencies out first is just common sense.",
        ),
        lived_against=(
            "We reported black mould in my son's bedroom three times before anyone came.",
            "Our boiler broke in January and it was logged as routine.",
        ),
        lived_for=("Last winter we had no heating for four days because the request sat in a queue over a weekend.",),
    ),
    Topic(
        key="checking",
        worry="",
        weight=1.2,
        against=(
            "Officers will stop reading properly if the computer has already decided.",
            "Once it's in, staff will be cut and nobody will be checking.",
            "Nobody will dare overrule the computer once it's been bought.",
            "A busy officer on a Monday morning will just click accept on whatever it says.",
        ),
        for_=(
            "If an officer still checks every request I don't see the harm.",
            "It's only a suggestion and a person still decides, so fine.",
            "As long as a real person signs off every job, I'm happy for a computer to sort the pile.",
            "The officers know the estates, so them checking its suggestions makes sense.",
        ),
    ),
    Topic(
        key="photos",
        worry="",
        weight=0.7,
        against=(
            "I don't like the idea of a computer looking at photos of the inside of my home.",
            "Six years is a long time to keep photos of people's homes.",
            "Photos of my kids' bedroom shouldn't be sitting on a council computer for years.",
            "Who else gets to see the pictures of the inside of my flat?",
        ),
        for_=(
            "Sending a photo is easier than trying to describe the problem on the phone.",
            "A picture of the damage says more than I could ever explain on the phone.",
        ),
    ),
    Topic(
        key="fairness",
        worry="",
        weight=0.8,
        against=(
            "Some estates have always been treated worse than others and the computer will learn that.",
            "People who don't write well or don't speak English well will get pushed down the list.",
            "Disabled and elderly tenants need their repairs done quicker and the tool won't know that.",
            "My mum can't type and only phones, so her requests will always look less urgent.",
            "Anyone who writes a short message because English is their second language will lose out.",
        ),
        for_=(
            "At least a computer treats every request the same way, whoever you are.",
            "It won't matter who you know at the housing office any more.",
        ),
    ),
    Topic(
        key="trust",
        worry="",
        weight=0.9,
        against=(
            "The council should fix the repairs service before spending money on AI.",
            "Trust in the repairs service is already rock bottom round here.",
            "It's the contractors that are the problem, not the sorting.",
            "Jobs get booked and then nobody turns up, and no computer fixes that.",
            "Spend the money on more plumbers and electricians instead.",
        ),
        for_=(
            "Good that they're asking tenants first for once.",
            "The repairs service needs to change and this is worth trying.",
            "Anything that makes the repairs line less of a black hole is worth a go.",
        ),
    ),
)

HOUSING_PHRASES = Phrasebook(
    topics=TOPICS,
    openings={
        5: ("Yes, good idea.", "I'm all for this."),
        4: ("I think this could help.", "Mostly in favour."),
        3: ("Not sure about this one.", "Could help, could make things worse."),
        2: ("I don't think this is the answer.", "I'm doubtful."),
        1: ("No.", "Strongly against this."),
    },
    closings={
        "for": ("Try it.", "Hope it works."),
        "mixed": ("We'll see.", "Depends how it's done."),
        "against": ("Just fix the repairs.", "Listen to tenants."),
    },
    suggestions=(
        "Tenants should be told what priority their repair has been given and why.",
        "There should be a number to ring if you think your repair is more urgent.",
        "Publish how often the officers disagree with the computer.",
    ),
    short_answers={5: ("good idea",), 4: ("ok",), 3: ("dont know",), 2: ("not keen",), 1: ("no", "waste of money")},
    trust=(
        ("a person read every request on the day it came in", "A person reading every request on the day"),
        ("I was told what priority my repair got", "Being told the priority my repair got"),
        ("anything about damp or mould was always urgent", "Damp and mould always treated as urgent"),
        ("the council published how often it got it wrong", "Published figures on how often it is wrong"),
        ("I could ring someone if I disagreed", "Someone to ring if I disagree"),
        ("tenants' representatives checked a sample of its decisions", "Tenants' reps checking a sample of decisions"),
        ("a person looked at every photo I sent", "A person looking at the photos, not just the computer"),
        ("the emergency line always answered", "An emergency line that always answers"),
    ),
    distrust=("Nothing, fix the service.", "Nothing would."),
    extras=(),
    personal_data=("I'm at 9 Linden Court, Millbridge MB2 5TW, still waiting.",),
    channels=tuple(zip(CHANNELS, (0.5, 0.25, 0.08, 0.1, 0.07), strict=True)),
    organisations=(
        Organisation(
            name="Millbridge Federation of Tenants' Associations",
            about="We are the federation of 23 tenants' and residents' associations on council estates in Millbridge.",
            topics=("urgency", "checking"),
            agreement=2,
        ),
        Organisation(
            name="Eastfield Estate Residents' Association",
            about="We represent the tenants of the Eastfield estate, about 1,100 homes.",
            topics=("urgency", "fairness"),
            agreement=1,
        ),
        Organisation(
            name="Damp Homes Action Group",
            about="We are a campaign group of tenants living with damp and mould.",
            topics=("urgency",),
            agreement=3,
        ),
    ),
    org_stances=ORG_STANCES,
    org_paragraphs={
        "urgency": {
            "against": (
                prose(
                    """Our members' greatest concern is damp and mould. These are too often treated as
                    routine when reported, and left until they harm people's health. A model trained on
                    past decisions risks repeating exactly this mistake."""
                ),
            ),
            "for": (),
        },
        "checking": {
            "against": (
                prose(
                    """Checking every suggestion is welcome, but officers under pressure will come to rely
                    on the tool. The council should measure how often officers change the suggestion, and
                    treat a falling rate as a warning rather than a success."""
                ),
            ),
            "for": (),
        },
        "fairness": {
            "against": (
                prose(
                    """Some estates have waited longer for repairs for many years. A model trained on that
                    history may learn to do the same. We ask for results by estate to be published every
                    month."""
                ),
            ),
            "for": (),
        },
    },
    org_evidence=("We discussed the proposal at {n} meetings of our members.",),
    org_recommendations={
        "urgency": ("Treat every report of damp or mould as urgent.",),
        "checking": ("Publish how often officers change the tool's suggestion.",),
        "fairness": ("Publish results by estate every month.",),
    },
    org_closings=ORG_CLOSINGS,
)
