"""Questions enterprises A and B have asked their branches, some answered, one still open."""

import datetime as dt

from django.utils import timezone

from accounts.models import Organisation, Role, User

from ..models import Message, Question

Q = Question.Status

# enterprise -> [(subject, status, days ago, [(who, text)])]; who is "clerk" or "inspector".
THREADS = {
    "ent-huafeng": [
        (
            "新建隔离舍的面积有什么要求？",
            Q.ANSWERED,
            40,
            [
                ("clerk", "我司在博罗县新建的养殖场正在筹建，请问隔离舍面积按存栏量有无具体比例要求？"),
                (
                    "inspector",
                    "隔离舍应能容纳一次供港批次的全部猪只，一般不少于设计存栏的5%，"
                    "并与生产区保持独立通道。可参考资料库中的《供港澳活猪检验检疫管理办法》。",
                ),
            ],
        ),
        (
            "免疫程序调整后是否需要重新备案？",
            Q.CLOSED,
            95,
            [
                ("clerk", "今年起我司拟将口蹄疫免疫改为O型-A型二价苗，请问是否需要重新备案免疫程序？"),
                ("inspector", "需要。请在系统中修改该场的免疫程序并附兽医签字的新程序，分局审核后生效。"),
                ("clerk", "已提交，谢谢。"),
            ],
        ),
        (
            "整改报告可以只上传照片吗？",
            Q.OPEN,
            2,
            [
                ("clerk", "日常监管发现的消毒池问题已整改完毕，整改报告可以只上传整改前后照片吗？"),
            ],
        ),
    ],
    "ent-xiangrun": [
        (
            "注册有效期届满前多久申请延续？",
            Q.ANSWERED,
            20,
            [
                ("clerk", "我司宁乡的一个养殖场注册将于明年到期，请问应提前多久申请延续？"),
                ("inspector", "请在有效期届满前3个月内提出延续申请，分局将安排现场核查。"),
            ],
        ),
        (
            "供港生猪隔离期是否延长至15天？",
            Q.OPEN,
            1,
            [
                ("clerk", "听说非洲猪瘟防控期间供港生猪隔离期延长至15天，请问目前是否仍按此执行？"),
            ],
        ),
    ],
}


def questions_ensure(inspectors: dict[str, User]) -> int:
    """Create the demo threads that are missing; return how many were created."""
    made = 0
    orgs = Organisation.objects.filter(code__in=THREADS).select_related("branch")
    for org in orgs:
        clerk = (
            User.objects.filter(organisation=org, role__in=[Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN])
            .order_by("-role", "pk")
            .first()
        )
        inspector = inspectors.get(org.branch.code) if org.branch else None
        if clerk is None or inspector is None:
            continue
        asked = set(Question.objects.filter(enterprise=org).values_list("subject", flat=True))
        for subject, status, days_ago, messages in THREADS[org.code]:
            if subject in asked:
                continue
            question = Question.objects.create(
                enterprise=org, branch=org.branch, subject=subject, status=status, created_by=clerk
            )
            start = timezone.now() - dt.timedelta(days=days_ago, hours=3)
            moment = start
            for n, (who, body) in enumerate(messages):
                moment = start + dt.timedelta(hours=20 * n)
                message = Message.objects.create(
                    question=question, author=clerk if who == "clerk" else inspector, body=body
                )
                Message.objects.filter(pk=message.pk).update(created_at=moment)
            Question.objects.filter(pk=question.pk).update(created_at=start, updated_at=moment)
            made += 1
    return made
