"""The desk's starting content: real regulations, standards and forms, and a few notices.

Titles, numbers and dates are those of the real documents; where a number or date could not
be checked it is left blank rather than guessed. No files are attached: the bureau uploads
the current official texts. Both functions are idempotent (keyed on the title).
"""

import datetime as dt

from django.utils import timezone

from accounts.models import User

from .models import Notice, ReferenceDocument
from .services.desk import notice_publish, reference_document_add

C = ReferenceDocument.Category
NPC = "全国人民代表大会常务委员会"
STATE_COUNCIL = "国务院"
SAIQ = "国家出入境检验检疫局"
MOA = "农业部"
MARA = "农业农村部"

LIBRARY = [
    {
        "category": C.REGULATION,
        "title": "中华人民共和国动物防疫法",
        "number": "中华人民共和国主席令第六十九号",
        "issued_by": NPC,
        "issued_on": dt.date(2021, 1, 22),
        "summary": (
            "动物疫病的预防、控制、诊疗、净化、消灭和动物、动物产品的检疫。2021年修订，自2021年5月1日起施行。"
        ),
    },
    {
        "category": C.REGULATION,
        "title": "中华人民共和国进出境动植物检疫法",
        "number": "中华人民共和国主席令第五十三号",
        "issued_by": NPC,
        "issued_on": dt.date(1991, 10, 30),
        "summary": "进出境动物、动物产品的检疫制度，包括输出动物的检疫与出证。自1992年4月1日起施行。",
    },
    {
        "category": C.REGULATION,
        "title": "中华人民共和国进出境动植物检疫法实施条例",
        "number": "国务院令第206号",
        "issued_by": STATE_COUNCIL,
        "issued_on": dt.date(1996, 12, 2),
        "summary": "进出境动植物检疫法的实施细则：检疫审批、报检、出境检疫、过境检疫和监督。",
    },
    {
        "category": C.REGULATION,
        "title": "供港澳活猪检验检疫管理办法",
        "number": "国家出入境检验检疫局令第27号",
        "issued_by": SAIQ,
        "summary": "供港澳活猪饲养场的注册登记和监督管理、备案兽医、自繁自养、免疫程序备案、禁用药物，"
        "以及启运地检验检疫、出证和口岸查验。",
    },
    {
        "category": C.REGULATION,
        "title": "供港澳活牛检验检疫管理办法",
        "number": "国家出入境检验检疫局令第4号",
        "issued_by": SAIQ,
        "issued_on": dt.date(1999, 11, 24),
        "summary": "供港澳活牛育肥场、中转仓的注册与监督，应检疫病，启运地检验检疫及《动物卫生证书》有效期。",
    },
    {
        "category": C.REGULATION,
        "title": "供港澳活羊检验检疫管理办法",
        "number": "",
        "issued_by": SAIQ,
        "issued_on": dt.date(1999, 11, 24),
        "summary": (
            "供港澳活羊中转场的注册管理、动物疫病控制与预防、检验检疫和监督管理。自2000年1月1日起施行。"
        ),
    },
    {
        "category": C.REGULATION,
        "title": "畜禽标识和养殖档案管理办法",
        "number": "农业部令第67号",
        "issued_by": MOA,
        "issued_on": dt.date(2006, 6, 26),
        "summary": "畜禽耳标的编码、加施和更换，养殖档案的内容与保存：供港活畜个体追溯的依据。",
    },
    {
        "category": C.REGULATION,
        "title": "动物防疫条件审查办法",
        "number": "农业农村部令2022年第8号",
        "issued_by": MARA,
        "summary": (
            "动物饲养场选址、布局、设施设备和管理制度应当符合的动物防疫条件，"
            "以及《动物防疫条件合格证》的审查发放。"
        ),
    },
    {
        "category": C.REGULATION,
        "title": "食品动物中禁止使用的药品及其他化合物清单",
        "number": "农业农村部公告第250号",
        "issued_by": MARA,
        "issued_on": dt.date(2019, 12, 27),
        "summary": (
            "包括克伦特罗、莱克多巴胺、沙丁胺醇等β-受体激动剂在内的禁用物质；注册饲养场不得使用或存放。"
        ),
    },
    {
        "category": C.STANDARD,
        "title": "病害动物和病害动物产品生物安全处理规程",
        "number": "GB 16548-2006",
        "issued_by": "国家质量监督检验检疫总局、国家标准化管理委员会",
        "summary": "病害动物及其产品的销毁、无害化处理方法（焚毁、掩埋、化制、消毒）及操作要求。",
    },
    {
        "category": C.FORM,
        "title": "供港澳活猪饲养场检验检疫注册申请表",
        "number": "",
        "issued_by": SAIQ,
        "summary": (
            "《供港澳活猪检验检疫管理办法》规定的注册申请表。"
            "在本系统中“饲养场注册”在线填报即可，无须另交纸质表。"
        ),
    },
    {
        "category": C.GUIDE,
        "title": "供港活畜信息管理系统企业端操作指南",
        "number": "",
        "issued_by": "深圳出入境检验检疫局",
        "summary": (
            "企业用户如何在线申请饲养场注册、填写饲养管理记录、报检，以及通过“业务咨询”向检验检疫部门提问。"
        ),
    },
]

NOTICES = [
    {
        "title": "关于启用供港活畜信息管理系统“业务咨询”栏目的通知",
        "is_pinned": True,
        "days_ago": 3,
        "body": (
            "各供港活畜注册企业：\n\n"
            "即日起，企业可通过本系统“业务咨询”栏目向辖区检验检疫机构咨询注册、"
            "饲养管理、报检和运输等业务问题，"
            "并可上传图片或PDF附件（每个文件不超过10 MB）。"
            "检验检疫机构将在3个工作日内答复，答复后系统以电子邮件提醒。\n\n"
            "“参考资料”栏目收录了供港澳活畜检验检疫相关法律法规、标准和表格，供企业检索查阅。\n\n"
            "紧急疫情报告仍须按规定电话报告辖区检验检疫机构。"
        ),
    },
    {
        "title": "关于做好非洲猪瘟防控期间供港活猪隔离检疫工作的通知",
        "is_pinned": False,
        "days_ago": 20,
        "body": (
            "各供港活猪注册饲养场：\n\n"
            "非洲猪瘟防控期间，供港活猪出场前须在隔离舍隔离检疫不少于15天，隔离期间不得引入、调出其他生猪。"
            "请严格执行车辆洗消和人员进出消毒制度，如实记录免疫、用药（含休药期）和死亡情况。\n\n"
            "发现疑似疫情的，应立即隔离并报告辖区检验检疫机构和当地畜牧兽医部门。"
        ),
    },
    {
        "title": "关于开展供港活畜注册饲养场年度监督检查的通知",
        "is_pinned": False,
        "days_ago": 45,
        "body": (
            "各供港活畜注册企业：\n\n"
            "各分支机构将按计划对辖区注册饲养场开展年度监督检查，重点检查防疫条件、备案兽医履职、"
            "免疫与用药记录、禁用药物管理和无害化处理情况。检查结果将计入企业信用等级。\n\n"
            "请各企业提前自查，并确保养殖档案完整、可追溯。"
        ),
    },
]


def library_ensure(actor: User) -> int:
    """Add the reference documents that are missing; return how many were added."""
    existing = set(ReferenceDocument.objects.values_list("title", flat=True))
    added = 0
    for entry in LIBRARY:
        if entry["title"] not in existing:
            reference_document_add(actor=actor, **entry)
            added += 1
    return added


def notices_ensure(actor: User, *, today: dt.date | None = None) -> int:
    """Publish the starting notices that are missing; return how many were published."""
    today = today or timezone.localdate()
    existing = set(Notice.objects.values_list("title", flat=True))
    added = 0
    for entry in NOTICES:
        if entry["title"] not in existing:
            notice_publish(
                actor=actor,
                title=entry["title"],
                body=entry["body"],
                published_on=today - dt.timedelta(days=entry["days_ago"]),
                is_pinned=entry["is_pinned"],
            )
            added += 1
    return added
