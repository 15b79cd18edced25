"""What can happen to a claim or to the system, as one vocabulary shared by the permissions and the claim's
state machine: a user asks for an action, the roles say who may, the state machine says from where.

Some actions are never asked for directly: `decide`, `reject` and `hold` follow automatically from the
rules' outcome inside intake, resubmission, reconsideration or the settling of arrears.
"""

from enum import Enum


class Action(str, Enum):
    INTAKE = "intake"
    DECIDE = "decide"
    VERIFY = "verify"
    RETURN = "return"
    REJECT = "reject"
    HOLD = "hold"
    OVERRIDE = "override"
    APPROVE = "approve"
    CONFIRM_REJECTION = "confirm_rejection"
    PAY = "pay"
    ISSUE_LETTER = "issue_letter"
    RESUBMIT = "resubmit"
    SETTLE_ARREARS = "settle_arrears"
    APPEAL = "appeal"
    RECONSIDER = "reconsider"
    REVERSE = "reverse"
    CORRECT_ACCOUNT = "correct_account"
    APPROVE_REVERSAL = "approve_reversal"
    RECONCILE = "reconcile"
    MANAGE_USERS = "manage_users"
    EXPORT_TRANSFERS = "export_transfers"

    def __str__(self) -> str:
        return self.value


# What an officer reads: the action as a verb phrase ("... tidak boleh memverifikasi klaim ...").
ACTION_NAMES = {
    Action.INTAKE: "menerima berkas klaim",
    Action.DECIDE: "memutuskan",
    Action.VERIFY: "memverifikasi",
    Action.RETURN: "mengembalikan",
    Action.REJECT: "menolak",
    Action.HOLD: "menunda",
    Action.OVERRIDE: "mengubah putusan otomatis",
    Action.APPROVE: "menyetujui",
    Action.CONFIRM_REJECTION: "menyetujui penolakan",
    Action.PAY: "membayarkan",
    Action.ISSUE_LETTER: "menerbitkan surat",
    Action.RESUBMIT: "mengajukan ulang",
    Action.SETTLE_ARREARS: "mencatat pelunasan tunggakan iuran",
    Action.APPEAL: "mencatat permohonan peninjauan kembali",
    Action.RECONSIDER: "memutuskan ulang",
    Action.REVERSE: "membatalkan pembayaran",
    Action.CORRECT_ACCOUNT: "memperbaiki rekening klaim",
    Action.APPROVE_REVERSAL: "menyetujui pembatalan pembayaran",
    Action.RECONCILE: "merekonsiliasi pernyataan bank",
    Action.MANAGE_USERS: "mengelola pengguna",
    Action.EXPORT_TRANSFERS: "mengekspor berkas transfer bank",
}

# Steps that follow from the rules' outcome, never asked for on their own.
AUTOMATIC = frozenset({Action.DECIDE, Action.REJECT, Action.HOLD})
