"""The main demo consultation: an AI assistant that answers benefit enquiries."""

from __future__ import annotations

from datetime import timedelta

from consult.demo.specs import ConsultationSpec, QuestionSpec, ToolSpec, prose

SUMMARY = prose(
    """
    We are thinking about using an AI assistant to answer general questions about benefits, on
    our website as a web chat and on our main phone line. Before we decide, we want to hear from
    the people who use our services, the people who help them, and anyone else with a view.

    The assistant would answer questions such as when your payment will arrive if it falls on a
    bank holiday, what a letter from us means, or what counts as a change you need to tell us
    about. It would not see your claim and it would not make any decision about your benefits.
    You could always choose to talk to a person instead, and the phone lines, textphone, video
    relay and face-to-face appointments would all stay.

    We think the assistant could mean shorter waits, answers at any time of day or night, and
    more time for advisers to help people whose problems are complicated or urgent. We also know
    that it could give wrong answers, that it might work less well for some people than for
    others, and that some people would feel shut out by it. The description of the tool below
    explains how it would work, what information it uses, the risks we have found and what we
    would do about them.

    We would like to know whether you agree with the proposal and why, how you contact us now,
    what worries you, and what would make you trust the assistant. Answering takes about 15
    minutes. You can respond as an individual or on behalf of an organisation, and you do not
    have to give your name.

    After the consultation closes we will read every response, publish a summary of what people
    told us, and explain what we have decided and why. People, not an AI tool, will make the
    decision. We will use software to help us sort and summarise the responses, and a member of
    staff will check every theme and every summary before it is published.
    """
)

TOOL = ToolSpec(
    tool_name="Benefit Enquiry Assistant",
    description=prose(
        """
        The Benefit Enquiry Assistant is a computer program that answers general questions
        about benefits in everyday language. It would be offered on our website as a web chat,
        and on the main benefits phone line, where callers could say their question out loud
        instead of working through a menu of keypad options.

        The assistant is built on a large language model: a kind of AI that has learnt from a
        very large amount of text and can write fluent answers to questions. Left to itself, a
        model like this can state things that are untrue with complete confidence. So the
        assistant is not allowed to answer from what the model has learnt. It first searches a
        fixed library of our published guidance, about 1,400 pages, and writes its answer only
        from the passages it finds. Every answer links to the pages it used.

        It can explain who can usually claim a benefit, what evidence people are normally asked
        for, how payments are worked out in general, what a standard letter means and how to
        report a change of circumstances. It cannot see anyone's claim, cannot change a claim,
        and takes no part in deciding whether anyone gets a benefit or how much. When a question
        can only be answered from someone's own records, it passes them to an adviser.

        On the phone line, a speech recognition service turns what the caller says into text;
        the assistant answers in the same way as in the web chat, and a synthetic voice reads
        the answer out. Callers are told at the start that they are talking to an automated
        assistant, and they can say "adviser" at any point.
        """
    ),
    purpose=prose(
        """
        About 2.3 million calls a month reach our benefit enquiry lines. When we listened to a
        sample of them, roughly 4 in every 10 were general questions that our published
        guidance already answers: when a payment will arrive over a bank holiday, what counts as
        a change of circumstances, what a particular letter means. At busy times people wait
        more than 40 minutes to ask these questions, and many hang up before they get through.

        We are proposing the assistant so that those general questions are answered straight
        away, at any hour, and so that advisers have more time for people whose situations are
        complicated, urgent or distressing. We have no plans to reduce the number of advisers
        because of the assistant during the first two years. Any later change would be the
        subject of a separate consultation with staff and their representatives.

        We also want to find out whether an assistant like this can be made to work fairly for
        everyone before we decide whether to use it at all. That is why we are consulting now,
        before any decision, and why the assistant would first run as a 12-month pilot in two
        regions, with the results published in full.
        """
    ),
    decision_role=prose(
        """
        The assistant does not make decisions. It gives general information. It does not decide
        whether someone is entitled to a benefit, how much they receive, whether they have been
        overpaid or whether a sanction applies. Trained decision makers keep making those
        decisions, exactly as they do now.

        The assistant does affect the route a person takes through the service. It may point
        someone to a page of guidance, a form or another phone number, and it decides when to
        pass a conversation to an adviser. We think that role matters enough to consult on:
        a wrong suggestion could lead someone to miss a deadline, or not to claim something they
        are entitled to.

        Nothing a person tells the assistant is added to their claim or used as evidence. If
        someone tells the assistant about a change in their circumstances, it explains how to
        report the change properly; telling the assistant does not count as reporting it. We
        know this could confuse people and we would particularly like your views on it.
        """
    ),
    human_oversight=prose(
        """
        A team of experienced benefit advisers and content designers would be responsible for
        the assistant day to day. Each week they would read a random sample of at least 500
        conversations, rate every answer for accuracy and tone, and correct the guidance library
        when an answer has gone wrong.

        The assistant hands a conversation to a person when the person asks for one, when it
        cannot find guidance that answers the question, when the question is about someone's
        own claim, and whenever a conversation mentions a risk to someone's safety, serious
        illness, a bereavement or thoughts of self-harm. In those cases it does not attempt an
        answer. With the person's agreement it passes on the conversation so far, so that they
        do not have to repeat themselves.

        A director is personally accountable for the assistant. Monthly reports on accuracy,
        hand-overs and complaints would go to a board that includes an independent member from
        outside the department. We could switch the assistant off at any time, and we would do
        so if its accuracy fell below a threshold that we will publish before the pilot starts.
        """
    ),
    how_to_challenge=prose(
        """
        Because the assistant makes no decisions about benefits, the ways to challenge a
        decision stay as they are: you can ask for the decision to be looked at again
        (mandatory reconsideration) and then appeal to an independent tribunal. The assistant
        will explain these routes, but you never need to use the assistant to use them.

        If you think the assistant gave you wrong or misleading information, you can say so in
        the conversation by choosing "This was not helpful", or complain through our normal
        complaints process, by phone, in writing or online. If wrong information from the
        assistant cost you money, for example because you missed a deadline, we will treat it
        in the same way as wrong information from an adviser, including paying compensation
        where that is appropriate.

        Every conversation has a short reference number. If you keep it, the person looking
        into your complaint can find the conversation and see exactly what you were told.
        """
    ),
    data_used=prose(
        """
        To answer questions, the assistant uses our published guidance, our standard letters
        and forms, and the internal guidance notes that advisers use, which we will publish
        before the pilot starts. It does not use anyone's claim records.

        The assistant receives what you type or say. We would keep conversations for 90 days so
        that advisers can check the quality of answers and look into complaints, and then delete
        them. A sample of conversations, with personal details removed, may be kept for up to
        two years to test improvements. On the phone line, your voice is not kept for any longer
        than it takes to turn what you said into text.

        The supplier, and the company that provides the language model, process conversations on
        our behalf under contract, in data centres in the UK. They may not use the
        conversations to train their own products or for any other purpose. We will publish a
        data protection impact assessment before the pilot starts.

        The assistant does not ask for your name, address or National Insurance number, and we
        ask people not to give them. If someone does, the stored copy of the conversation is
        screened automatically and those details are removed.
        """
    ),
    risks=prose(
        """
        The assistant could give information that is wrong, out of date or incomplete. Benefit
        rules are complicated and depend on people's circumstances, and an answer that is right
        for most people can be wrong for someone in an unusual situation. Someone who acts on a
        wrong answer could lose money or miss a deadline.

        The assistant may work less well for some people than for others: on the phone, for
        people with strong regional accents or with speech impairments; for people who write in
        Welsh or in a language other than English; for people who find reading or typing hard;
        and for people who describe their situation in words that do not match the language of
        official guidance. Our testing so far shows that it is less accurate when a question is
        very short or mixes several problems together.

        People may find it harder to reach a person, or feel that they are being kept away from
        one. People may share sensitive information in a conversation, which could be exposed if
        the systems holding it were breached. And people may trust its answers more than they
        should, because the answers are fluent and sound sure of themselves.

        There is also a risk to trust in the whole service. If people see the assistant as a
        way of cutting costs at the expense of quality, some may be less willing to contact us at
        all, including people who are entitled to help and do not yet claim it.
        """
    ),
    mitigations=prose(
        """
        Answers are written only from our guidance, and every answer shows its sources. We have
        tested the assistant on more than 6,000 real questions, with personal details removed,
        marked by experienced advisers. In the latest round, 91% of answers were judged correct
        and complete, 6% correct but incomplete and 3% wrong. Questions on the topics where it
        did worst now go straight to an adviser. We will not start the pilot unless it gets at
        least 95% of a fresh set of questions right, and we will publish the results.

        There will always be a way to reach a person. On the phone, saying "adviser" or pressing
        0 puts you in the queue for an adviser, and you do not lose your place because you tried
        the assistant first. The web chat shows a "Talk to an adviser" button on every screen.
        The existing phone lines, textphone, Relay UK, British Sign Language video relay and
        face-to-face appointments all carry on unchanged.

        The assistant will answer in Welsh as well as English from the first day, using our
        Welsh-language guidance, and Welsh speakers can ask for a Welsh-speaking adviser. Before
        the pilot, and again at 3 and 9 months, we will test the assistant with disabled people,
        older people, people with low literacy and people who speak English as an additional
        language, and publish how well it worked for each group.

        Personal details are screened out of stored conversations, only the named quality team
        can read conversations, and the supplier's systems must meet government security
        standards. An independent review will take place at the end of the pilot, and we will
        publish what we decide and why.
        """
    ),
    owner="Director of Customer Contact, Department for Work and Welfare",
    supplier=(
        "Harbourline Digital Ltd, under a government framework contract, using a language model "
        "licensed from a commercial provider and hosted in the UK"
    ),
)

AGREE = QuestionSpec(
    role="agree",
    kind="agreement",
    text=(
        "To what extent do you agree that we should use an AI assistant to answer general benefit "
        "enquiries by web chat and phone?"
    ),
    hint="Think about the proposal as described above, including the ways to reach a person.",
)

WORRIES = (
    "It might give wrong or misleading answers",
    "It might be harder to reach a person",
    "What happens to what I type or say",
    "It might not work well for disabled people",
    "It might not work well for older people or people who are not confident online",
    "It might not understand Welsh or other languages",
    "It might treat some people unfairly",
    "Advisers could lose their jobs",
    "What it will cost",
    "Nothing worries me",
)

CHANNELS = (
    "By phone",
    "By web chat or online forms",
    "By letter",
    "In person at a jobcentre or office",
    "Someone contacts you for me, for example an adviser, carer or family member",
    "I have not contacted you about benefits",
)

BENEFITS = ConsultationSpec(
    slug="ai-assistant-for-benefit-enquiries",
    title="Using an AI assistant to answer benefit enquiries by web chat and phone",
    department="work-and-welfare",
    summary=SUMMARY,
    contact_name="Customer Contact Policy Team",
    contact_email="enquiry-assistant-consultation@example.gov.uk",
    opens_in=-timedelta(days=10),
    closes_in=timedelta(weeks=6),
    is_published=True,
    tool=TOOL,
    questions=(
        AGREE,
        QuestionSpec(
            role="why",
            kind="free_text",
            text="Why do you say that?",
            hint=(
                "Tell us in your own words. Do not include personal details such as your name, address, "
                "phone number or National Insurance number."
            ),
            explains="agree",
        ),
        QuestionSpec(
            role="channel",
            kind="single_choice",
            text="How do you usually contact us about benefits?",
            hint="Choose the one you use most.",
            options=CHANNELS,
        ),
        QuestionSpec(
            role="worries",
            kind="multiple_choice",
            text="What, if anything, worries you about the assistant?",
            is_required=False,
            options=WORRIES,
            exclusive_options=("Nothing worries me",),
        ),
        QuestionSpec(
            role="trust",
            kind="free_text",
            text="What would make you trust the assistant?",
            hint="For example, what it should tell you, what it should never do, or who should check it.",
            is_required=False,
        ),
        QuestionSpec(
            role="extra",
            kind="free_text",
            text="Is there anything else you would like to tell us about the proposal?",
            hint=(
                "If you are responding for an organisation, you can tell us about the people you represent "
                "and any evidence you have."
            ),
            is_required=False,
        ),
    ),
)
