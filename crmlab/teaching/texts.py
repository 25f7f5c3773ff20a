"""What the teaching layer writes for students, in English and Chinese (``crmlab assignment --lang``).

Student copies (placeholders, the answers cell, the note that the truth stays
with the instructor) and grading feedback come out in the term's language;
command-line messages stay English.

Examples
--------
>>> MESSAGES("written.stub", "zh")
'在此作答'
>>> MESSAGES("fb.exercise", "en", k=2)
'Exercise 2'
"""

from __future__ import annotations

from ..i18n import Messages

__all__ = ["MESSAGES"]

MESSAGES = Messages({
    # ---- student copies
    "code.stub": {"en": "# YOUR CODE HERE", "zh": "# 在此编写代码 (YOUR CODE HERE)"},
    "written.stub": {"en": "YOUR ANSWER HERE", "zh": "在此作答"},
    "graded_later": {"en": "# (more checks of this answer run when your notebook is graded)",
                     "zh": "# （批改时还会对这个答案做更多检查）"},
    "answers_cell": {"en": "# Records your answers for grading - do not edit or delete this cell.",
                     "zh": "# 记录你的答案以供评分——请勿修改或删除本单元格。"},
    "student_place": {"en": "in place of `raise NotImplementedError()`",
                      "zh": "在 `raise NotImplementedError()` 处"},
    "truth.withheld": {
        "en": "no truth here: this synthetic dataset was handed out without its truth file (your instructor keeps it)",
        "zh": "此处没有真实值：这份合成数据发放时不含真实值文件（由教师保管）"},
    # ---- feedback
    "fb.title": {"en": "# Feedback on {notebook}", "zh": "# {notebook} 的反馈"},
    "fb.score": {"en": "**Score: {score} / {max_score}**", "zh": "**得分：{score} / {max_score}**"},
    "fb.manual_pending": {
        "en": "Written tasks ({points} points) are graded by hand; their points are not in this score yet.",
        "zh": "书面作业（{points} 分）由教师手工批改，其分数尚未计入此得分。"},
    "fb.not_graded": {"en": "Not graded: {why}.", "zh": "未评分：{why}。"},
    "fb.no_submission": {"en": "no submission", "zh": "未提交"},
    "fb.header": {"en": "| Task | Points | Result |\n|---|---|---|",
                  "zh": "| 题目 | 得分 | 结果 |\n|---|---|---|"},
    "fb.exercise": {"en": "Exercise {k}", "zh": "练习 {k}"},
    "fb.written": {"en": "Written task {k}", "zh": "书面作业 {k}"},
    "fb.row_not_graded": {"en": "not graded", "zh": "未评分"},
    "fb.row_manual": {"en": "graded by hand by your instructor", "zh": "由教师手工批改"},
    "fb.correct": {"en": "`{name}` correct", "zh": "`{name}` 正确"},
    "fb.no_value": {"en": "`{name}` has no value (not set, or the notebook stopped before it)",
                    "zh": "`{name}` 没有值（未赋值，或笔记本在此之前已停止）"},
    "fb.wrong": {"en": "`{name}` = {value} is not correct", "zh": "`{name}` = {value} 不正确"},
    "fb.expected": {"en": " (expected {value})", "zh": "（应为 {value}）"},
    "fb.stopped": {"en": "Your notebook was stopped: {why}. Answers it had not recorded by then could not be graded.",
                   "zh": "你的笔记本被中止：{why}。此前尚未记录的答案无法评分。"},
    "fb.errors": {"en": "Cells that raised an error when your notebook was run (cells numbered from 0):",
                  "zh": "运行你的笔记本时出错的单元格（从 0 开始编号）："},
    "fb.more_errors": {"en": "... and {n} more", "zh": "……另有 {n} 个"},
    # ---- feedback: written tasks graded by hand (crmlab grade --written)
    "fb.row_hand": {"en": "graded by hand", "zh": "教师已批改"},
    "fb.row_hand_comment": {"en": "graded by hand. Comment: {comment}", "zh": "教师已批改。评语：{comment}"},
    "fb.row_pending": {"en": "not yet graded", "zh": "尚未批改"},
    "fb.hand_pending": {
        "en": "Written tasks ({points} points) are not graded yet; their points are not in this score.",
        "zh": "书面作业（{points} 分）尚未批改，其分数未计入此得分。"},
})
