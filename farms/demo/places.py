"""Where the demo farms are: real counties and towns per branch, and the demo enterprises.

County codes are those of GB/T 2260; a code the shipped county table does not know (a county
renamed or merged since) is skipped, so several spellings may be listed as "new|old".
Provinces, cities and county names come from farms.regions; only the English spellings and
the towns are kept here.
"""

from dataclasses import dataclass

PIG, CATTLE, GOAT = "1", "2", "3"

# Branch code -> its counties: (code, English name, towns). Towns are real ones of that county.
COUNTIES = {
    "ciq-huizhou": [
        ("441322", "Boluo", ["石湾镇", "园洲镇", "杨村镇", "柏塘镇", "湖镇镇"]),
        ("441323", "Huidong", ["吉隆镇", "稔山镇", "多祝镇", "白花镇"]),
        ("441324", "Longmen", ["龙田镇", "永汉镇", "麻榨镇", "地派镇"]),
        ("441303", "Huiyang", ["良井镇", "平潭镇"]),
        ("441625", "Dongyuan", ["仙塘镇", "船塘镇", "义合镇"]),
        ("441622", "Longchuan", ["老隆镇", "佗城镇", "鹤市镇"]),
        ("441521", "Haifeng", ["梅陇镇", "可塘镇", "赤坑镇"]),
    ],
    "ciq-dongguan": [
        ("441821", "Fogang", ["石角镇", "汤塘镇", "水头镇"]),
        ("441881", "Yingde", ["西牛镇", "横石塘镇", "大站镇", "望埠镇"]),
        ("441802", "Qingcheng", ["源潭镇", "飞来峡镇"]),
        ("441803", "Qingxin", ["太和镇", "山塘镇", "禾云镇"]),
        ("441882", "Lianzhou", ["星子镇", "西岸镇"]),
    ],
    "ciq-jiangmen": [
        ("440781", "Taishan", ["水步镇", "四九镇", "大江镇", "斗山镇", "都斛镇"]),
        ("440783", "Kaiping", ["水口镇", "月山镇", "赤坎镇", "金鸡镇"]),
        ("440784", "Heshan", ["址山镇", "共和镇", "宅梧镇", "鹤城镇"]),
        ("440785", "Enping", ["大田镇", "君堂镇", "良西镇"]),
        ("440705", "Xinhui", ["大泽镇", "司前镇", "双水镇"]),
        ("441781", "Yangchun", ["春湾镇", "合水镇", "潭水镇"]),
        ("441721", "Yangxi", ["儒洞镇", "程村镇", "织篢镇"]),
    ],
    "ciq-zhanjiang": [
        ("440882", "Leizhou", ["客路镇", "唐家镇", "英利镇", "杨家镇"]),
        ("440881", "Lianjiang", ["良垌镇", "横山镇", "安铺镇", "石岭镇"]),
        ("440883", "Wuchuan", ["长岐镇", "浅水镇", "塘缀镇"]),
        ("440823", "Suixi", ["城月镇", "洋青镇", "北坡镇"]),
        ("440825", "Xuwen", ["下桥镇", "曲界镇", "龙塘镇"]),
        ("440981", "Gaozhou", ["根子镇", "分界镇", "石鼓镇"]),
        ("440982", "Huazhou", ["杨梅镇", "同庆镇", "笪桥镇"]),
        ("440904", "Dianbai", ["霞洞镇", "观珠镇", "沙琅镇"]),
    ],
    "ciq-shaoguan": [
        ("440205", "Qujiang", ["马坝镇", "樟市镇", "大塘镇"]),
        ("440222", "Shixing", ["马市镇", "太平镇", "沈所镇"]),
        ("440224", "Renhua", ["董塘镇", "周田镇"]),
        ("440229", "Wengyuan", ["龙仙镇", "官渡镇", "坝仔镇"]),
        ("440232", "Ruyuan", ["乳城镇", "桂头镇"]),
        ("440233", "Xinfeng", ["马头镇", "遥田镇"]),
        ("440281", "Lechang", ["坪石镇", "长来镇", "北乡镇"]),
        ("440282", "Nanxiong", ["珠玑镇", "湖口镇", "乌迳镇"]),
    ],
    "ciq-zhaoqing": [
        ("441204", "Gaoyao", ["白土镇", "小湘镇", "蛟塘镇", "回龙镇"]),
        ("441223", "Guangning", ["宾亨镇", "五和镇", "石涧镇"]),
        ("441224", "Huaiji", ["冷坑镇", "凤岗镇", "岗坪镇"]),
        ("441225", "Fengkai", ["江口镇", "南丰镇", "长岗镇"]),
        ("441226", "Deqing", ["官圩镇", "马圩镇", "新圩镇"]),
        ("441284", "Sihui", ["大沙镇", "石狗镇", "地豆镇"]),
        ("445381", "Luoding", ["罗镜镇", "泗纶镇", "围底镇"]),
        ("445321", "Xinxing", ["天堂镇", "太平镇", "簕竹镇"]),
    ],
    "ciq-hunan": [
        ("430182|430124", "Ningxiang", ["双江口镇", "灰汤镇", "老粮仓镇"]),
        ("430181", "Liuyang", ["永安镇", "官渡镇", "古港镇"]),
        ("430121", "Changsha County", ["春华镇", "路口镇", "金井镇"]),
        ("430321", "Xiangtan County", ["花石镇", "射埠镇", "中路铺镇"]),
        ("430421", "Hengyang County", ["西渡镇", "井头镇", "演陂镇"]),
        ("430424", "Hengdong", ["草市镇", "吴集镇"]),
        ("430681", "Miluo", ["新市镇", "长乐镇"]),
        ("430726", "Shimen", ["蒙泉镇", "新关镇", "维新镇"]),
        ("430524", "Longhui", ["桃洪镇", "六都寨镇"]),
        ("431382", "Lianyuan", ["桥头河镇", "杨市镇"]),
    ],
    "ciq-jiangxi": [
        ("360121", "Nanchang County", ["向塘镇", "武阳镇", "冈上镇"]),
        ("360124", "Jinxian", ["李渡镇", "温圳镇"]),
        ("360722", "Xinfeng", ["大塘埠镇", "嘉定镇", "安西镇"]),
        ("360728", "Dingnan", ["历市镇", "岭北镇"]),
        ("360723", "Dayu", ["新城镇", "池江镇"]),
        ("360983", "Gao'an", ["祥符镇", "八景镇"]),
        ("360731", "Yudu", ["罗坳镇", "禾丰镇"]),
    ],
    "ciq-guangxi": [
        ("450110|450122", "Wuming", ["城厢镇", "双桥镇", "锣圩镇"]),
        ("450126", "Binyang", ["黎塘镇", "新桥镇", "王灵镇"]),
        ("450123", "Long'an", ["那桐镇", "乔建镇"]),
        ("450124", "Mashan", ["白山镇", "古零镇"]),
        ("451228", "Du'an", ["地苏镇", "高岭镇"]),
        ("450521", "Hepu", ["常乐镇", "公馆镇", "石康镇"]),
        ("450721", "Lingshan", ["陆屋镇", "檀圩镇"]),
        ("450881", "Guiping", ["木乐镇", "江口镇"]),
        ("450921", "Rongxian", ["杨梅镇", "自良镇"]),
    ],
    "ciq-hubei": [
        ("420683", "Zaoyang", ["吴店镇", "兴隆镇"]),
        ("420881", "Zhongxiang", ["胡集镇", "洋梓镇"]),
        ("420624", "Nanzhang", ["武安镇", "九集镇"]),
        ("421181", "Macheng", ["中馆驿镇", "宋埠镇"]),
        ("421125", "Xishui", ["清泉镇", "巴河镇"]),
        ("420921", "Xiaochang", ["花园镇", "周巷镇"]),
    ],
    "ciq-henan": [
        ("410122", "Zhongmou", ["官渡镇", "白沙镇"]),
        ("410425", "Jiaxian", ["堂街镇", "安良镇"]),
        ("411321", "Nanzhao", ["云阳镇", "皇路店镇"]),
        ("411327", "Sheqi", ["饶良镇", "桥头镇"]),
        ("411330", "Tongbai", ["月河镇", "埠江镇"]),
        ("411726", "Biyang", ["羊册镇", "马谷田镇"]),
        ("411723", "Pingyu", ["东和店镇", "郭楼镇"]),
    ],
}

# How many farms each branch supervises in the demo (300 in all; Guangdong most).
FARMS_PER_BRANCH = {
    "ciq-huizhou": 38,
    "ciq-dongguan": 22,
    "ciq-jiangmen": 33,
    "ciq-zhanjiang": 36,
    "ciq-shaoguan": 28,
    "ciq-zhaoqing": 28,
    "ciq-hunan": 32,
    "ciq-jiangxi": 20,
    "ciq-guangxi": 30,
    "ciq-hubei": 16,
    "ciq-henan": 17,
}

CITY_EN = {
    "4413": "Huizhou",
    "4416": "Heyuan",
    "4415": "Shanwei",
    "4418": "Qingyuan",
    "4407": "Jiangmen",
    "4417": "Yangjiang",
    "4408": "Zhanjiang",
    "4409": "Maoming",
    "4402": "Shaoguan",
    "4412": "Zhaoqing",
    "4453": "Yunfu",
    "4301": "Changsha",
    "4303": "Xiangtan",
    "4304": "Hengyang",
    "4305": "Shaoyang",
    "4306": "Yueyang",
    "4307": "Changde",
    "4313": "Loudi",
    "3601": "Nanchang",
    "3607": "Ganzhou",
    "3609": "Yichun",
    "4501": "Nanning",
    "4505": "Beihai",
    "4507": "Qinzhou",
    "4508": "Guigang",
    "4509": "Yulin",
    "4512": "Hechi",
    "4206": "Xiangyang",
    "4208": "Jingmen",
    "4209": "Xiaogan",
    "4211": "Huanggang",
    "4101": "Zhengzhou",
    "4104": "Pingdingshan",
    "4113": "Nanyang",
    "4117": "Zhumadian",
}


@dataclass(frozen=True)
class NewEnterprise:
    slug: str  # the organisation code is "ent-<slug>"
    branch: str
    county: str  # the county of its seat (first code of COUNTIES' "new|old" entries)
    brand_zh: str
    brand_en: str
    species: str  # the species it keeps, the first most
    contact: str


SUFFIX = {
    PIG: ("生猪养殖", "Pig Farming"),
    CATTLE: ("肉牛养殖", "Beef Cattle"),
    GOAT: ("山羊养殖", "Goat Farming"),
}
ALT_SUFFIX = [
    ("农牧", "Agriculture and Livestock"),
    ("畜牧发展", "Livestock Development"),
    ("牧业", "Animal Husbandry"),
]

NEW_ENTERPRISES = [
    NewEnterprise("luofu", "ciq-huizhou", "441322", "罗浮", "Luofu", PIG, "钟伟强"),
    NewEnterprise("dongjiang", "ciq-huizhou", "441323", "东江", "Dongjiang", PIG, "叶振华"),
    NewEnterprise("nankun", "ciq-huizhou", "441324", "南昆山", "Nankunshan", PIG, "邱国栋"),
    NewEnterprise("huinong", "ciq-huizhou", "441303", "惠农", "Huinong", PIG, "曾庆丰"),
    NewEnterprise("wanlv", "ciq-huizhou", "441625", "万绿", "Wanlü", PIG, "黄伟光"),
    NewEnterprise("laolong", "ciq-huizhou", "441622", "老隆", "Laolong", PIG, "骆文辉"),
    NewEnterprise("honghai", "ciq-huizhou", "441521", "红海湾", "Honghaiwan", PIG, "彭少雄"),
    NewEnterprise("feilai", "ciq-dongguan", "441802", "飞来峡", "Feilaixia", PIG, "朱建民"),
    NewEnterprise("yingzhou", "ciq-dongguan", "441881", "英州", "Yingzhou", PIG, "赖志坚"),
    NewEnterprise("lvyuan", "ciq-dongguan", "441821", "绿源", "Lüyuan", PIG, "范永红"),
    NewEnterprise("beijiang", "ciq-dongguan", "441803", "北江", "Beijiang", PIG, "刘晓东"),
    NewEnterprise("huangchuan", "ciq-dongguan", "441882", "湟川", "Huangchuan", PIG + GOAT, "房德明"),
    NewEnterprise("guanghai", "ciq-jiangmen", "440781", "广海", "Guanghai", PIG, "伍社生"),
    NewEnterprise("tanjiang", "ciq-jiangmen", "440783", "潭江", "Tanjiang", PIG, "关国雄"),
    NewEnterprise("gulao", "ciq-jiangmen", "440784", "古劳", "Gulao", PIG, "冯炳坤"),
    NewEnterprise("jinjiang", "ciq-jiangmen", "440785", "锦江", "Jinjiang", PIG, "吴锦荣"),
    NewEnterprise("kuixiang", "ciq-jiangmen", "440705", "葵乡", "Kuixiang", PIG, "梁耀祖"),
    NewEnterprise("moyang", "ciq-jiangmen", "441781", "漠阳", "Moyang", PIG, "陈永坚"),
    NewEnterprise("leiyang", "ciq-zhanjiang", "440882", "雷阳", "Leiyang", GOAT + PIG, "莫海珠"),
    NewEnterprise("jiuzhou", "ciq-zhanjiang", "440881", "九洲江", "Jiuzhoujiang", PIG, "钟德旺"),
    NewEnterprise("jianjiang", "ciq-zhanjiang", "440883", "鉴江", "Jianjiang", PIG, "杨开明"),
    NewEnterprise("suihai", "ciq-zhanjiang", "440823", "遂海", "Suihai", PIG, "谭家驹"),
    NewEnterprise("haian", "ciq-zhanjiang", "440825", "海安", "Hai'an", CATTLE + GOAT, "吴国良"),
    NewEnterprise("gaoliang", "ciq-zhanjiang", "440981", "高凉", "Gaoliang", PIG, "李茂林"),
    NewEnterprise("juzhou", "ciq-zhanjiang", "440982", "橘州", "Juzhou", PIG, "庞志成"),
    NewEnterprise("shuidong", "ciq-zhanjiang", "440904", "水东", "Shuidong", PIG, "邵海波"),
    NewEnterprise("yuebei", "ciq-shaoguan", "440205", "粤北", "Yuebei", PIG, "邓荣华"),
    NewEnterprise("danxia", "ciq-shaoguan", "440224", "丹霞", "Danxia", PIG, "蒙建平"),
    NewEnterprise("zhuji", "ciq-shaoguan", "440282", "珠玑", "Zhuji", PIG, "叶南生"),
    NewEnterprise("jiufeng", "ciq-shaoguan", "440281", "九峰", "Jiufeng", PIG, "邝耀明"),
    NewEnterprise("wengjiang", "ciq-shaoguan", "440229", "翁江", "Wengjiang", PIG, "华志雄"),
    NewEnterprise("chebaling", "ciq-shaoguan", "440222", "车八岭", "Chebaling", PIG, "曾宪文"),
    NewEnterprise("xijiang", "ciq-zhaoqing", "441204", "西江", "Xijiang", PIG, "梁国强"),
    NewEnterprise("dinghu", "ciq-zhaoqing", "441284", "鼎湖", "Dinghu", PIG, "麦伟文"),
    NewEnterprise("zhuxiang", "ciq-zhaoqing", "441223", "竹乡", "Zhuxiang", PIG, "江炳华"),
    NewEnterprise("yanyan", "ciq-zhaoqing", "441224", "燕岩", "Yanyan", PIG, "邓伟健"),
    NewEnterprise("kangzhou", "ciq-zhaoqing", "441226", "康州", "Kangzhou", PIG, "何锦棠"),
    NewEnterprise("nanjiang", "ciq-zhaoqing", "445381", "南江", "Nanjiang", PIG, "陈日新"),
    NewEnterprise("xiangdong", "ciq-hunan", "430181", "湘东", "Xiangdong", PIG, "罗建湘"),
    NewEnterprise("hengyue", "ciq-hunan", "430421", "衡岳", "Hengyue", PIG, "谭振国"),
    NewEnterprise("hupingshan", "ciq-hunan", "430726", "壶瓶山", "Hupingshan", GOAT, "覃明远"),
    NewEnterprise("quyuan", "ciq-hunan", "430681", "屈原", "Quyuan", PIG, "易春林"),
    NewEnterprise("xiangzhong", "ciq-hunan", "431382", "湘中", "Xiangzhong", GOAT + PIG, "曾德胜"),
    NewEnterprise("gannan", "ciq-jiangxi", "360722", "赣南", "Gannan", PIG, "钟永发"),
    NewEnterprise("jiuqu", "ciq-jiangxi", "360728", "九曲", "Jiuqu", PIG, "赖春生"),
    NewEnterprise("ruizhou", "ciq-jiangxi", "360983", "瑞州", "Ruizhou", PIG, "胡建国"),
    NewEnterprise("kunlun", "ciq-guangxi", "450126", "昆仑", "Kunlun", PIG, "韦德光"),
    NewEnterprise("hongshuihe", "ciq-guangxi", "451228", "红水河", "Hongshuihe", GOAT, "蓝振宇"),
    NewEnterprise("beibuwan", "ciq-guangxi", "450521", "北部湾", "Beibuwan", PIG, "陈海宁"),
    NewEnterprise("xunzhou", "ciq-guangxi", "450881", "浔州", "Xunzhou", PIG + GOAT, "甘志明"),
    NewEnterprise("jingchu", "ciq-hubei", "420881", "荆楚", "Jingchu", CATTLE, "李汉军"),
    NewEnterprise("dabieshan", "ciq-hubei", "421181", "大别山", "Dabieshan", CATTLE, "程立新"),
    NewEnterprise("hanshui", "ciq-hubei", "420683", "汉水", "Hanshui", PIG + CATTLE, "张襄平"),
    NewEnterprise("wandu", "ciq-henan", "411327", "宛都", "Wandu", CATTLE, "赵宛生"),
    NewEnterprise("xianan", "ciq-henan", "411726", "夏南", "Xianan", CATTLE, "孙志刚"),
]

# The six enterprises accounts.demo already made: their brand (for farm names) and species.
EXISTING = {
    "ent-huafeng": ("华丰", "Huafeng", PIG, "441322"),
    "ent-xiangrun": ("湘润", "Xiangrun", PIG, "430182|430124"),
    "ent-ganlv": ("赣绿", "Ganlü", PIG, "360121"),
    "ent-guinan": ("桂南", "Guinan", PIG + GOAT, "450110|450122"),
    "ent-zhongyuan": ("中原", "Zhongyuan", CATTLE, "410122"),
    "ent-wuyi": ("五邑", "Wuyi", PIG, "440781"),
}

# Enterprise A of the tests: its portal shows farms of its own city only.
HOME_CITY_ONLY = {"ent-huafeng"}

# One inspector for each branch that has none in accounts.demo (the visits need one).
INSPECTORS = {
    "ciq-dongguan": ("insp_dongguan", "黎家豪"),
    "ciq-jiangmen": ("insp_jiangmen", "司徒永健"),
    "ciq-zhanjiang": ("insp_zhanjiang", "陈海明"),
    "ciq-shaoguan": ("insp_shaoguan", "欧阳志"),
    "ciq-zhaoqing": ("insp_zhaoqing", "黄启明"),
    "ciq-jiangxi": ("insp_jiangxi", "熊国平"),
    "ciq-guangxi": ("insp_guangxi", "韦振宁"),
    "ciq-hubei": ("insp_hubei", "胡楚雄"),
    "ciq-henan": ("insp_henan", "牛建设"),
}

VILLAGES = [
    "新村",
    "石岗",
    "塘尾",
    "大坪",
    "上围",
    "黄沙",
    "龙岗",
    "白石",
    "下洞",
    "茶园",
    "长岭",
    "坑口",
    "水口",
    "牛岭",
    "松林",
    "禾田",
    "高陂",
    "竹山",
    "冷水",
    "樟树",
]
SURNAMES = "陈李黄张刘王吴林杨何罗周郑梁谢钟邓曾叶彭"
GIVEN = [
    "建华",
    "志强",
    "国平",
    "海燕",
    "丽萍",
    "伟明",
    "春生",
    "德胜",
    "振兴",
    "秀英",
    "永红",
    "少华",
    "文辉",
    "家明",
    "金凤",
    "庆丰",
]
PROVINCE_ABBR = {"44": "GD", "45": "GX", "43": "HN", "36": "JX", "42": "HB", "41": "HA"}
CN_DIGITS = "零一二三四五六七八九十"


def cn_number(n: int) -> str:
    """Return 1–99 in Chinese numerals (第二, 第十二, 第二十一)."""
    tens, units = divmod(n, 10)
    head = ("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else ""
    return head + (CN_DIGITS[units] if units else "")
