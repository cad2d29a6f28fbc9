"""The demo consultation that opens soon, and a draft that the public must never see."""

from __future__ import annotations

from datetime import timedelta

from consult.demo.specs import ConsultationSpec, QuestionSpec, ToolSpec, prose

DISCHARGE = ConsultationSpec(
    slug="forecasting-hospital-discharges",
    title="Using a forecasting model to plan care for people leaving hospital",
    department="health-and-care-services",
    summary=prose(
        """
        When people are well enough to leave hospital but need care at home or in a care home, they
        often wait days for that care to be arranged. We are proposing to use a forecasting model that
        estimates, a few days ahead, how many patients on each ward are likely to be ready to leave
        and what kind of care they will need, so that councils and care providers can prepare.

        The model would not decide when anyone leaves hospital. Doctors, nurses and therapists would
        continue to make that decision with each patient and their family. The model works with
        numbers for wards and areas, not with advice about individual patients.

        We want to hear from patients, families, carers, care workers and health staff about whether
        this is a good use of the information hospitals hold, and what people should be told about it.
        """
    ),
    contact_name="Discharge Planning Programme",
    contact_email="discharge-forecast-consultation@example.gov.uk",
    opens_in=timedelta(days=10),
    closes_in=timedelta(days=10, weeks=8),
    is_published=True,
    tool=ToolSpec(
        tool_name="Discharge Demand Forecast",
        description=prose(
            """
            A statistical forecasting model that estimates, for each ward and each council area, how
            many patients are likely to be medically ready to leave hospital over the next five days,
            and how many of them are likely to need home care, a short stay in a care home, or
            equipment such as a hospital bed at home.

            It produces numbers for groups of patients, refreshed twice a day, shown on a dashboard to
            discharge teams, councils and care providers.
            """
        ),
        purpose=prose(
            """
            To cut the time people spend in hospital after they are ready to leave, which is bad for
            their health and independence and takes beds that other patients need.
            """
        ),
        decision_role=prose(
            """
            The forecast helps councils and providers plan how much care to have ready. It plays no
            part in deciding when a particular patient leaves or what care they receive: clinical staff
            and social workers decide that with the patient.
            """
        ),
        human_oversight=prose(
            """
            Each hospital's discharge lead reviews the forecast daily against what actually happened.
            A monthly review by the programme board, including patient representatives, checks its
            accuracy and whether it is being used only for planning.
            """
        ),
        how_to_challenge=prose(
            """
            Decisions about an individual's discharge can be challenged in the usual ways, through the
            ward team, the hospital's patient advice service and the NHS complaints procedure.
            """
        ),
        data_used=prose(
            """
            Information already held in hospital records: age band, reason for admission, length of
            stay so far, ward, the care received before admission, and council area. The data is
            pseudonymised before the model uses it and never leaves the NHS's secure data environment.
            """
        ),
        risks=prose(
            """
            The forecast could be wrong, leading to too little care being ready. Staff could start to
            treat a forecast for a group as a prediction about a person. Groups of patients who are
            under-represented in past data could be forecast less accurately.
            """
        ),
        mitigations=prose(
            """
            The dashboard shows numbers for wards and areas only, never lists of named patients.
            Accuracy is published monthly, including for smaller groups. Staff are trained on what the
            forecast can and cannot be used for.
            """
        ),
        owner="Director of Urgent and Emergency Care, Department of Health and Care Services",
        supplier="The department's in-house data science team",
    ),
    questions=(
        QuestionSpec(
            role="agree",
            kind="agreement",
            text="To what extent do you agree that hospitals and councils should use this forecast to plan care?",
        ),
        QuestionSpec(role="why", kind="free_text", text="Why do you say that?", explains="agree"),
        QuestionSpec(
            role="data",
            kind="multiple_choice",
            text="Which of these do you think the forecast should be allowed to use?",
            is_required=False,
            options=(
                "Age band",
                "Reason for admission",
                "How long someone has been in hospital",
                "The care someone had before coming into hospital",
                "Where someone lives",
                "None of these",
            ),
            exclusive_options=("None of these",),
        ),
        QuestionSpec(
            role="told",
            kind="free_text",
            text="What should patients and their families be told about the forecast?",
            is_required=False,
            max_length=1500,
        ),
    ),
)

DRAFT = ConsultationSpec(
    slug="ai-notes-of-jobcentre-appointments",
    title="Using AI to write notes of jobcentre appointments",
    department="work-and-welfare",
    summary=prose(
        """
        Draft, not yet approved for publication. We are considering a tool that listens to jobcentre
        appointments, with the claimant's agreement, and drafts a note of what was agreed for the work
        coach to check and edit.
        """
    ),
    contact_name="Jobcentre Services Policy",
    contact_email="appointment-notes-consultation@example.gov.uk",
    opens_in=timedelta(days=30),
    closes_in=timedelta(days=30, weeks=12),
    is_published=False,
    tool=ToolSpec(
        tool_name="Appointment Note Drafter",
        description="Turns a recording of an appointment into a draft note of what was discussed and agreed.",
        purpose="To give work coaches more time with claimants and less time typing.",
        decision_role="The work coach checks, edits and approves every note. The tool makes no decisions.",
        human_oversight="To be confirmed before publication.",
        how_to_challenge="Claimants will be able to see and correct the note of their appointment.",
        data_used="A recording of the appointment, deleted once the note is approved.",
        risks="Notes could be wrong or leave things out; claimants may feel unable to refuse recording.",
        mitigations="To be confirmed before publication.",
        owner="Director of Jobcentre Services, Department for Work and Welfare",
        supplier="",
    ),
    questions=(
        QuestionSpec(
            role="agree",
            kind="agreement",
            text="To what extent do you agree that appointments should be recorded to write the notes?",
        ),
        QuestionSpec(role="why", kind="free_text", text="Why do you say that?", explains="agree"),
        QuestionSpec(
            role="extra",
            kind="free_text",
            text="Is there anything else you would like to tell us?",
            is_required=False,
        ),
    ),
)
