"""The practitioner pages. Everything but signing in needs a signed-in user (see
`web.decorators.page`); a record the user may not see is a 404, like one that does not exist."""

from django.urls import path

from tandem.web.views import (
    account,
    audit,
    care,
    casework,
    children,
    governance,
    governance_manage,
    jobs,
    known,
    referrals,
    sign_in_security,
)
from tandem.web.views import extracts as extracts_views
from tandem.web.views import linkage as linkage_views
from tandem.web.views import returns as returns_views
from tandem.web.views import worklist as worklist_views

app_name = "web"

CHILD = "children/<uuid:child_id>"
REFERRAL = "referrals/<uuid:referral_id>"
CASE = "cases/<uuid:case_id>"
ASSESSMENT = f"{CASE}/assessments/<uuid:assessment_id>"
AGREEMENT = "governance/agreements/<uuid:agreement_id>"

urlpatterns = [
    path("", account.start, name="start"),
    path("sign-in", account.sign_in_page, name="sign-in"),
    path("sign-out", account.sign_out, name="sign-out"),
    # Sign-in security (issue 4): the code from an authenticator app, and the notice
    path("sign-in/code", sign_in_security.code_page, name="sign-in-code"),
    path("sign-in/set-up", sign_in_security.set_up_page, name="sign-in-set-up"),
    path("acceptable-use", sign_in_security.acceptable_use, name="acceptable-use"),
    path("caseload", children.caseload, name="caseload"),
    path("children/find", children.child_find, name="child-find"),
    path(CHILD, children.child_summary, name="child"),
    path(f"{CHILD}/household", children.child_household, name="child-household"),
    path(f"{CHILD}/referrals", children.child_referrals, name="child-referrals"),
    path(f"{CHILD}/chronology", children.child_chronology_page, name="child-chronology"),
    path(f"{CHILD}/edit", children.child_edit, name="child-edit"),
    path(f"{CHILD}/chronology/new", children.event_new, name="event-new"),
    path(f"{CHILD}/relationships/new", children.relationship_new, name="relationship-new"),
    path(
        f"{CHILD}/relationships/<uuid:relationship_id>/remove",
        children.relationship_remove,
        name="relationship-remove",
    ),
    path("referrals/new", referrals.referral_new, name="referral-new"),
    path("referrals/made", referrals.referrals_made, name="referrals-made"),
    path("referrals/received", referrals.referrals_received, name="referrals-received"),
    path(REFERRAL, referrals.referral_detail, name="referral"),
    path(f"{REFERRAL}/sent", referrals.referral_sent, name="referral-sent"),
    path(f"{REFERRAL}/decision", referrals.referral_decision, name="referral-decision"),
    path(f"{REFERRAL}/feedback", referrals.referral_feedback, name="referral-feedback"),
    path("known", known.known, name="known"),
    path("audit", audit.audit, name="audit"),
    path("jobs", jobs.job_list, name="jobs"),
    path("jobs/<uuid:job_id>", jobs.job_detail, name="job"),
    path("jobs/<uuid:job_id>/run-again", jobs.job_run_again_view, name="job-run-again"),
    # Statutory returns (issue 7)
    path("returns", returns_views.returns_page, name="returns"),
    path("returns/<uuid:job_id>", returns_views.return_detail, name="return"),
    path("returns/<uuid:job_id>/download", returns_views.return_download, name="return-download"),
    path(
        "returns/<uuid:job_id>/children/<uuid:child_id>",
        returns_views.return_child,
        name="return-child",
    ),
    # Early identification (issue 5): partners' extracts
    path("extracts", extracts_views.extracts_page, name="extracts"),
    path("extracts/<uuid:upload_id>", extracts_views.extract_detail, name="extract"),
    path(
        "extracts/<uuid:upload_id>/problems.csv",
        extracts_views.extract_problems_csv,
        name="extract-problems",
    ),
    path("linkage", linkage_views.linkage_page, name="linkage"),
    path("linkage/pairs/<uuid:pair_id>", linkage_views.pair_decision, name="pair-decision"),
    path("linkage/evidence", linkage_views.evidence_page, name="linkage-evidence"),
    path("worklist", worklist_views.worklist_page, name="worklist"),
    path("worklist/<uuid:flag_id>", worklist_views.flag_decision, name="flag-decision"),
    # Casework (issue 6): a child's cases, the case and its decisions, work tray, views report.
    path(f"{CHILD}/casework", casework.child_casework, name="child-casework"),
    # Looked after (issue 7): the child's episodes of care and the rest of the SSDA903 record.
    path(f"{CHILD}/care", care.child_care, name="child-care"),
    path(f"{CHILD}/care/episodes/new", care.episode_new, name="care-episode-new"),
    path(
        f"{CHILD}/care/episodes/<uuid:episode_id>/end",
        care.episode_end,
        name="care-episode-end",
    ),
    path(f"{CHILD}/care/reviews/new", care.item_new, {"part": "review"}, name="care-review-new"),
    path(f"{CHILD}/care/missing/new", care.item_new, {"part": "missing"}, name="care-missing-new"),
    path(CASE, casework.case_detail, name="case"),
    path(f"{CASE}/members/new", casework.member_new, name="case-member-new"),
    path(f"{CASE}/lead", casework.lead_change, name="case-lead"),
    path(
        f"{CASE}/members/<uuid:member_id>/leave", casework.member_leave, name="case-member-leave"
    ),
    path(f"{CASE}/assessments/new", casework.assessment_start, name="assessment-start"),
    path(f"{ASSESSMENT}/factors/new", casework.factor_new, name="assessment-factor-new"),
    path(f"{ASSESSMENT}/outcome", casework.assessment_submit, name="assessment-submit"),
    path(f"{ASSESSMENT}/approve", casework.assessment_approve, name="assessment-approve"),
    path(f"{CASE}/goals/new", casework.goal_new, name="goal-new"),
    path(f"{CASE}/goals/<uuid:goal_id>/actions/new", casework.action_new, name="action-new"),
    path(f"{CASE}/actions/<uuid:action_id>/status", casework.action_status, name="action-status"),
    path(f"{CASE}/plan/agree", casework.plan_agree, name="plan-agree"),
    path(f"{CASE}/reviews/new", casework.review_new, name="review-new"),
    path(f"{CASE}/step", casework.case_step, name="case-step"),
    path(f"{CASE}/close", casework.case_close, name="case-close"),
    path(f"{CASE}/reopen", casework.case_reopen, name="case-reopen"),
    path(f"{CASE}/portal/invite", casework.portal_invite, name="portal-invite"),
    path(f"{CASE}/messages/<uuid:message_id>/reply", casework.message_reply, name="message-reply"),
    path(f"{CASE}/portal/<uuid:account_id>/revoke", casework.portal_revoke, name="portal-revoke"),
    path("work-tray", casework.work_tray, name="work-tray"),
    path("reports/views", casework.voice_report, name="voice-report"),
    # Information governance
    path(f"{CHILD}/who-looked", governance.child_who_looked, name="child-who-looked"),
    path("audit/export.csv", governance.audit_export, name="audit-export"),
    path("emergency-access", governance.break_glass_new, name="break-glass"),
    path("governance/break-glass", governance.break_glass_queue, name="break-glass-queue"),
    path(
        "governance/break-glass/<uuid:break_glass_id>",
        governance.break_glass_review,
        name="break-glass-review",
    ),
    path("notifications", governance.notifications, name="notifications"),
    path("governance", governance.governance_home, name="governance"),
    path("governance/subject-access/new", governance.sar_new, name="sar-new"),
    path("governance/people", governance.people_find, name="governance-people"),
    path("governance/retention/run", governance.retention_run, name="retention-run"),
    # Information governance: agreements, legal holds, restrictions, consent (issue 4)
    path("governance/agreements", governance_manage.agreements, name="agreements"),
    path("governance/agreements/new", governance_manage.agreement_new, name="agreement-new"),
    path(f"{AGREEMENT}", governance_manage.agreement_detail, name="agreement"),
    path(f"{AGREEMENT}/accept", governance_manage.agreement_accept, name="agreement-accept"),
    path(f"{AGREEMENT}/end", governance_manage.agreement_end, name="agreement-end"),
    path("governance/legal-holds", governance_manage.legal_holds, name="legal-holds"),
    path(
        "governance/legal-holds/<uuid:hold_id>/lift",
        governance_manage.legal_hold_lift,
        name="legal-hold-lift",
    ),
    path("governance/restrictions", governance_manage.restrictions, name="restrictions"),
    path("governance/set-up-codes", governance_manage.set_up_codes, name="set-up-codes"),
    path(
        "governance/restrictions/<uuid:restriction_id>/end",
        governance_manage.restriction_end,
        name="restriction-end",
    ),
    path(f"{CHILD}/consent", governance_manage.child_consent, name="child-consent"),
    path(f"{CHILD}/sharing", governance_manage.child_sharing, name="child-sharing"),
    path(
        f"{CHILD}/consent/<uuid:consent_id>/withdraw",
        governance_manage.consent_withdraw,
        name="consent-withdraw",
    ),
    path("governance/subject-access/<uuid:sar_id>", governance.sar_detail, name="sar"),
    path(
        "governance/subject-access/<uuid:sar_id>/response.json",
        governance.sar_download,
        {"fmt": "json"},
        name="sar-json",
    ),
    path(
        "governance/subject-access/<uuid:sar_id>/response.pdf",
        governance.sar_download,
        {"fmt": "pdf"},
        name="sar-pdf",
    ),
]
