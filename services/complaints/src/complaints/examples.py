"""Examples of the complaints API's main request and response bodies (in the OpenAPI document; each validates)."""

from __future__ import annotations

from sunlight.contract import add_examples

from complaints.schemas import imports as si
from complaints.schemas import reports as s

PAYMENT = "0191c3b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f"
UNIT = "11130302MB0012345B"  # 海港区农业农村局
RECEIPT = "7KQ2-M9XD-4TPA-HW3C-NB6E"  # what a reporter is given (case, spaces and hyphens do not matter)

ATTACHMENT = {"filename": "发放名单.txt", "content": "5Y+R5pS+5ZCN5Y2V77ya546L5LqU77yM6LW15YWt"}  # base64 of UTF-8 text

add_examples(
    {
        s.AttachmentIn: [ATTACHMENT],
        s.ReporterAttachmentsIn: [{"receipt": RECEIPT, "attachments": [ATTACHMENT]}],
        s.PublicReportIn: [
            {
                "category": "misuse_of_funds",
                "region_code": "130302",
                "subject": {"kind": "fund", "ref_kind": "movement", "ref_id": PAYMENT},
                "text": "村里的农机补贴发给了并不种地的人, 补贴名单没有公示",
                "anonymous": True,
            },
            {
                "category": "corruption",
                "region_code": "130302",
                "subject": {"kind": "official", "official_name": "张某", "official_post": "村委会主任"},
                "text": "村委会主任在低保评定中收受好处费",
                "anonymous": False,
                "reporter": {"name": "李四", "phone": "13800000000"},
            },
        ],
        si.HotlineRecordIn: [
            {
                "external_id": "12345-20260302-0088",
                "category": "service_request",
                "region_code": "130302",
                "text": "办理营业执照时窗口要求提供法律未要求的材料",
                "subject": {"kind": "unit", "unit_uscc": UNIT},
                "received_at": "2026-03-02T10:20:00+08:00",
                "due_at": "2026-03-16T18:00:00+08:00",
            }
        ],
        s.ReceiptIn: [{"receipt": RECEIPT}],
        s.AppealIn: [{"receipt": RECEIPT, "reason": "办理结论未回应补贴名单未公示的问题"}],
        s.ReporterMessageIn: [{"receipt": RECEIPT, "text": "补充: 名单上的第三户已外出务工多年"}],
        s.DecisionIn: [
            {"decision": "accept"},
            {"decision": "refer", "reason": "属区农业农村局职责", "unit_uscc": UNIT},
        ],
        s.AssignIn: [{"assignee": "qhd-complaints-desk-3", "unit_uscc": UNIT}],
        s.ExtensionIn: [{"days": 30, "reason": "需调取三个村的补贴发放记录"}],
        s.ConclusionIn: [
            {
                "outcome": "partly_substantiated",
                "findings": "两户不符合补贴条件, 已追回补贴; 名单已补充公示",
                "reply": "经核查, 您反映的问题部分属实, 已追回不符合条件的补贴并公示名单",
            }
        ],
        s.ReplyIn: [{"text": "已受理, 将于60日内办结并答复"}],
        s.ReviewIn: [{"decision": "reopen", "reason": "原办理未核查补贴名单公示情况"}],
        s.SplitIn: [{"reason": "一件举报反映了补贴发放和工程招标两件事"}],
        s.IdentityRequestIn: [{"reason": "需当面核实举报人提供的补贴名单原件"}],
        s.IdentityDecisionIn: [{"approve": True}],
        s.ScanIn: [{"as_of": "2026-03-31T23:59:59+08:00"}],
        s.ReceiptOut: [
            {
                "receipt": RECEIPT,
                "status": "received",
                "filed_at": "2026-03-02T20:15:00+08:00",
                "accept_due": "2026-03-09",
            }
        ],
    }
)
