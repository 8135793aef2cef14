"""What the synthetic cases are about: departments, requested information, replies, incidents.

The texts follow what county offices actually receive: most 依申请公开 requests ask for
land requisition and compensation papers (征地拆迁), project approvals, budgets, and
enforcement files; incidents follow the topics of ``configs/incident_grades.yaml``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from govflow.synth import names


@dataclass(frozen=True)
class Department:
    """A county department: its name after the county, code stem and ``ref_prefix`` stem."""

    key: str
    name: str
    short: str
    topics: tuple[str, ...]


DEPARTMENTS = (
    Department(
        "edu",
        "教育局",
        "教",
        (
            "{year}年城区义务教育学校招生划片范围及依据",
            "{place}中心小学校舍改扩建工程招投标文件及中标通知书",
            "{year}年教师公开招聘考试成绩及拟聘用人员名单",
            "{place}民办幼儿园办学许可审批材料",
        ),
    ),
    Department(
        "housing",
        "住房和城乡建设局",
        "住建",
        (
            "{place}片区棚户区改造项目房屋征收补偿方案",
            "{place}花园小区商品房预售许可证及监管账户信息",
            "{place}小区竣工验收备案材料",
            "{year}年公共租赁住房分配名单",
        ),
    ),
    Department(
        "land",
        "自然资源局",
        "资规",
        (
            "{place}村集体土地征收批复文件及征地补偿安置方案",
            "{place}地块国有建设用地使用权出让合同",
            "{year}年度土地利用年度计划",
            "{place}村宅基地审批材料",
        ),
    ),
    Department(
        "env",
        "生态环境局",
        "环",
        (
            "{company}建设项目环境影响评价报告书及批复",
            "{year}年{place}河断面水质监测数据",
            "对{company}作出的环境行政处罚决定书",
        ),
    ),
    Department(
        "police",
        "公安局",
        "公",
        (
            "{year}年全县道路交通事故统计数据",
            "{place}路口电子警察设置依据及审批文件",
            "户籍迁移办理依据及内部办事流程文件",
        ),
    ),
    Department(
        "health",
        "卫生健康局",
        "卫健",
        (
            "{place}卫生院医疗机构执业许可信息",
            "{year}年基本公共卫生服务项目资金分配文件",
            "{year}年医疗纠纷调处情况统计",
        ),
    ),
    Department(
        "market",
        "市场监督管理局",
        "市监",
        (
            "{company}食品经营许可证核发材料",
            "{year}年食品安全监督抽检结果",
            "对{company}作出的行政处罚决定书",
        ),
    ),
    Department(
        "finance",
        "财政局",
        "财",
        (
            "{year}年全县一般公共预算执行情况",
            "{year}年政府债务余额及使用情况",
            "{place}镇{year}年转移支付资金分配明细",
        ),
    ),
    Department(
        "hrss",
        "人力资源和社会保障局",
        "人社",
        (
            "{year}年事业单位公开招聘拟聘用人员名单",
            "{company}欠薪案件的劳动保障监察处理决定",
            "{year}年城乡居民养老保险基金收支情况",
        ),
    ),
    Department(
        "civil",
        "民政局",
        "民",
        (
            "{place}镇{year}年城乡低保对象名单",
            "{year}年特困人员供养资金发放情况",
            "{place}养老院设立许可及检查记录",
        ),
    ),
    Department(
        "transport",
        "交通运输局",
        "交",
        (
            "{place}至{place2}公路改建工程立项批复及资金来源",
            "{year}年农村公路养护资金使用情况",
        ),
    ),
    Department(
        "agri",
        "农业农村局",
        "农",
        (
            "{year}年耕地地力保护补贴发放明细",
            "{place}村高标准农田建设项目验收资料",
        ),
    ),
    Department(
        "water",
        "水利局",
        "水",
        (
            "{place}河道采砂许可文件",
            "{place}水库除险加固工程招投标文件",
        ),
    ),
    Department(
        "emergency",
        "应急管理局",
        "应急",
        (
            "{company}安全生产事故调查报告",
            "{year}年自然灾害救助资金分配明细",
        ),
    ),
    Department(
        "drc",
        "发展和改革局",
        "发改",
        (
            "{place}工业园区项目立项备案材料",
            "{year}年重点建设项目清单",
        ),
    ),
    Department("culture", "文化和旅游局", "文旅", ("{place}景区门票定价依据及审批文件",)),
    Department("medins", "医疗保障局", "医保", ("{year}年医保基金收支及结余情况",)),
    Department("stats", "统计局", "统", ("{year}年国民经济和社会发展统计公报原始数据",)),
)

TOWNS = (
    "城关", "河口", "石桥", "新集", "龙泉", "白沙", "高桥", "柳林", "马营", "杨家庄",
    "黄土岭", "三河", "双庙", "古城", "青石", "桃园", "梅子坝", "红岩", "大坪", "李家沟",
)  # fmt: skip

COUNTY_TOPICS = (
    "{year}年县政府工作报告重点项目清单及进展",
    "县政府常务会议纪要（{year}年第{n}次）中关于{place}项目的内容",
    "{place}片区国有土地上房屋征收决定及补偿方案",
    "县政府对{place}镇{year}年土地征收的批复",
)
TOWN_TOPICS = (
    "{place}村{year}年城乡低保对象名单及评议记录",
    "{place}村土地征收补偿款发放明细",
    "{place}村道路硬化工程招投标及验收资料",
    "本镇{year}年财政预决算及“三公”经费",
    "本镇{year}年农村危房改造补助对象名单",
)
GENERIC_TOPICS = (
    "{year}年度部门预算、决算及“三公”经费",
    "{year}年本单位政府采购合同及验收报告",
    "对{company}作出的行政处罚决定书",
    "{year}年本单位权责清单及办事指南依据",
)


def topics_for(agency_name: str) -> tuple[str, ...]:
    """The requests an agency plausibly receives, recognised from its name."""
    if agency_name.endswith("人民政府办公室"):
        return COUNTY_TOPICS + GENERIC_TOPICS
    if "镇" in agency_name or "乡" in agency_name:
        return TOWN_TOPICS + GENERIC_TOPICS
    for dept in DEPARTMENTS:
        if agency_name.endswith(dept.name):
            return dept.topics + GENERIC_TOPICS
    return GENERIC_TOPICS


def description(rng: random.Random, agency_name: str, year: int) -> str:
    template = rng.choice(topics_for(agency_name))
    return template.format(
        year=rng.choice((year, year - 1, year - 1, year - 2)),
        place=names.place_name(rng),
        place2=names.place_name(rng),
        company=names.company_name(rng),
        n=rng.randint(1, 30),
    )


# What the reply says, by outcome code (SPEC D-8): the gist of the written reply.
REPLY_SUMMARIES = {
    "disclosed": "经检索，所申请信息由本机关制作保存，现予以公开，随答复书提供",
    "partially_disclosed": "所申请信息中含有个人隐私，经区分处理，公开可以公开的部分（第三十七条）",
    "withheld.state_secret": "所申请信息经定密属于国家秘密，依第十四条不予公开",
    "withheld.law_forbids": "所申请信息属于法律、行政法规禁止公开的信息，不予公开",
    "withheld.security_stability": "公开后可能危及国家安全、公共安全、经济安全、社会稳定，不予公开",
    "withheld.third_party": "第三方不同意公开且不公开不会对公共利益造成重大影响，依第十五条不予公开",
    "withheld.internal_affairs": "所申请信息属于内部事务信息，依第十六条第一款可以不予公开",
    "withheld.process_info": "所申请信息属于讨论记录、过程稿等过程性信息，依第十六条第二款可以不予公开",
    "withheld.enforcement_file": "所申请信息属于行政执法案卷信息，依第十六条第二款可以不予公开",
    "withheld.query_matter": "所申请信息属于行政查询事项，请按有关规定办理查询",
    "unavailable.not_held": "经检索，本机关未制作、获取该信息，告知申请人（第三十六条第四项）",
    "unavailable.needs_creation": "本机关没有现成信息，需另行制作或加工分析，依第三十八条不予提供",
    "unavailable.still_unclear": "经补正后申请内容仍不明确，无法确定所指信息",
    "not_processed.petition": "所提事项属于信访、投诉举报，依第三十九条告知通过相应渠道提出",
    "not_processed.duplicate": "申请人重复申请已获答复的同一信息，依第三十六条第六项不予重复处理",
    "not_processed.publication": "所申请信息为公开出版物，告知获取途径，不予处理",
    "not_processed.excessive": "申请人无正当理由大量、反复申请，且未说明理由，依第三十五条不予处理",
    "not_processed.confirmation": "要求确认或重新出具已获取的信息，不属于政府信息公开申请范围",
    "other.misc": "所申请信息由其他机关负责公开，告知申请人向该机关申请（第三十六条第五项）",
}

ON_THE_SPOT = {
    "disclosed": "所申请信息已主动公开，当场告知获取方式并提供复印件",
    "not_processed.publication": "所申请的为公开出版物，当场告知购买和查阅途径",
    "not_processed.petition": "所提为投诉事项，当场告知不作为政府信息公开申请处理及投诉渠道",
}
# Where a disclosed-on-the-spot request's information was already published (L-1: say where).
PUBLISHED_AT = "县政府门户网站·政府信息公开专栏"

INCIDENT_TITLES = {
    "减税降费": ("企业反映{place}镇变相摊派、违规收费", "网传{place}工业园区取消减免政策"),
    "金融安全": ("{company}理财产品兑付困难引发投资人聚集", "网传{place}农商银行网点挤兑"),
    "生态环境": ("网传{place}河段出现大量死鱼", "{place}化工园区夜间异味扰民引发网民关注"),
    "教育": ("网传{place}中心小学食堂使用过期食材", "家长反映{place}中学违规收取补课费"),
    "食品药品": ("网传{place}镇多名群众聚餐后食物中毒", "{company}销售过期药品视频传播"),
    "卫生健康": ("网传{place}卫生院医疗纠纷致患者死亡", "网民质疑{place}镇卫生院收费不规范"),
    "养老": ("{place}养老院护工打骂老人视频传播", "网民反映{place}镇高龄补贴长期未发放"),
    "社会保障": ("网民质疑{place}村低保评定不公", "网传{place}镇养老保险缴费被挪用"),
    "社会治安": ("网传{place}镇发生持刀伤人事件", "{place}夜市聚众斗殴视频传播"),
    "房地产": ("{place}花园楼盘逾期交房，业主聚集维权", "网传{place}小区开发商卷款跑路"),
}
PLATFORMS = (
    ("微博", "https://weibo.com/{n}"),
    ("微信公众号", "https://mp.weixin.qq.com/s/{n}"),
    ("抖音", "https://www.douyin.com/video/{n}"),
    ("今日头条", "https://www.toutiao.com/article/{n}/"),
    ("人民网领导留言板", "https://liuyan.people.com.cn/threads/content?tid={n}"),
    ("本地论坛", "https://bbs.example.cn/thread-{n}-1-1.html"),
)

MESSAGE_TOPICS = (
    ("{place}路路灯不亮", "{place}路一段路灯已坏半个多月，夜间行人出行不便，请尽快维修。"),
    ("小区垃圾清运不及时", "{place}小区垃圾站每天下午才清运，夏季气味大，希望增加清运次数。"),
    ("学校门口上下学拥堵", "{place}小学门口上下学时段车辆乱停，存在安全隐患，建议增派交警。"),
    ("咨询城乡居民养老保险缴费", "请问今年城乡居民养老保险缴费档次和截止时间是什么？"),
    ("{place}村道路破损", "{place}村通村公路多处坑洼，雨天积水，请安排维修。"),
    ("噪音扰民", "{place}工地夜间施工至凌晨，严重影响休息，请依法查处。"),
    ("农民工工资拖欠", "在{place}项目务工三个月工资未结清，多次讨要未果，请求帮助。"),
    ("自来水水压不足", "{place}小区高层自来水水压不足，早晚高峰无法正常用水。"),
)
MESSAGE_CHANNELS = {"website": 45, "mailbox": 20, "new_media": 20, "hotline": 15}
