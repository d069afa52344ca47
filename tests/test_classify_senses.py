"""Classification rule data: words in an unrelated sense, and the leaf a registry phrase names.

Each case is one registry record (国标行业, 经营范围, 主营产品) classified with the embedded
rules; the expected segments follow the labelling rules of tests/data/classify/*/README.md.
"""

from __future__ import annotations

import collections

import pandas as pd
import pytest

from chainkg.loaders.classify import classify


def segments_of(rules, industry, scope, products=""):
    records = pd.DataFrame([(industry, scope, products)], columns=["industry", "scope", "products"])
    memberships, _ = classify(records, rules)
    by_row = collections.defaultdict(set)
    for r in memberships.itertuples():
        by_row[r.row].add(r.segment)
    return by_row[0]


@pytest.mark.parametrize("industry, scope, products", [
    ("道路货物运输", "一般项目：医药冷链仓储；普通货物仓储服务", "疫苗、生物制剂医药冷链"),
    ("其他室内娱乐活动", "一般项目：游乐园服务；模拟飞行体验服务", "VR模拟飞行体验"),
    ("专项运动器材及配件制造", "碳素渔具、钓鱼竿、碳纤维制品生产、销售", "碳纤维钓鱼竿"),
    ("港口及航运设施工程建筑", "一般项目：通航建筑物运行维护；工程管理服务", "船闸通航设施维护"),
    ("宠物饲料加工", "许可项目：饲料生产。一般项目：宠物食品及用品批发", "冻干猫粮"),
    ("饲料加工", "许可项目：饲料生产。一般项目：畜牧渔业饲料销售", "猪饲料；禽饲料"),
    ("知识产权服务", "专利代理；商标代理；集成电路布图设计代理服务；知识产权服务", ""),
    ("锂离子电池制造", "一般项目：电池制造；电池销售；技术服务", "新能源汽车动力电池包；储能电池"),
    ("木地板制造", "一般项目：竹制品制造；地板制造；家具制造", "竹地板；竹集成材"),
    ("塑料零件及其他塑料制品制造", "防静电包装材料、塑料制品的生产、加工、销售", "防静电屏蔽袋；IC托盘"),
    ("纸和纸板容器制造", "一般项目：纸制品制造；纸和纸板容器制造；包装服务", "快递纸箱；物流缓冲包装"),
    ("航空航天器修理", "一般项目：专用设备修理；智能无人飞行器销售", "工业无人机维修保养"),
], ids=["pharma-cold-chain", "vr-flight", "carbon-fishing-rod", "waterway-navigation", "pet-food", "feed",
        "layout-design-agency", "ev-battery", "bamboo-flooring", "esd-packaging", "parcel-cartons", "drone-repair"])
def test_a_word_in_another_sense_makes_no_member(rules, industry, scope, products):
    assert segments_of(rules, industry, scope, products) == set()


@pytest.mark.parametrize("industry, scope, products, expected", [
    ("电力电子元器件制造", "一般项目：电力电子元器件制造；电力电子元器件销售", "", {"ic.modules.power"}),
    ("光电子器件制造", "一般项目：光电子器件制造", "车载摄像头模组", {"ic.modules.optical"}),
    ("显示器件制造", "一般项目：显示器件制造", "Mini LED显示模块", {"ic.display.led"}),
    ("蔬菜加工", "许可项目：食品生产。一般项目：食用农产品初加工", "即食竹笋；清水笋", {"food.primary.bamboo"}),
    ("微特电机及组件制造", "一般项目：电机制造；微特电机及组件制造", "电子调速器（电调）", {"lowalt.components.power"}),
    ("", "一般项目：互联网销售（除销售需要许可的商品）；食品互联网销售", "预包装食品直播销售",
     {"food.channels.ecommerce"}),
], ids=["power-modules", "car-camera-module", "mini-led", "bamboo-shoots", "drone-esc", "live-stream-food"])
def test_a_registry_phrase_reaches_its_leaf(rules, industry, scope, products, expected):
    assert segments_of(rules, industry, scope, products) == expected
