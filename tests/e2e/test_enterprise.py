"""Enterprise portal in the browser: own data only, and the administrator's user management."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Names, user names and people of enterprise B (湖南湘润, supervised by the Hunan branch).
OTHER_ENTERPRISE = [
    "湖南湘润供港活猪有限公司",
    "湘润",
    "Xiangrun",
    "ent_b_staff",
    "ent_b_admin",
    "周玉兰",
    "刘湘平",
]


def test_enterprise_user_sees_only_own_company(page, login, demo_world, shot):
    world = demo_world
    login(page, "ent_a_staff")
    expect(page).to_have_url(re.compile(r"/enterprise/$"))
    expect(page.get_by_test_id("organisation-name")).to_have_text("惠州市华丰生猪养殖有限公司")
    expect(page.get_by_test_id("credit-code")).to_have_text(world.ent_a.credit_code)
    expect(page.get_by_test_id("sidebar-organisation")).to_have_text("惠州市华丰生猪养殖有限公司")
    people = page.get_by_test_id("people")
    for text in ["林晓梅", "ent_a_staff", "陈国华", "ent_a_admin"]:
        expect(people).to_contain_text(text)
    expect(page.get_by_test_id("branch-name")).to_have_text(world.branch_a.name_zh)
    shot(page, "home")

    html = page.content()
    for text in OTHER_ENTERPRISE:
        assert text not in html, f"{text!r} of the other enterprise is on enterprise A's home page"

    response = page.goto("/bureau/")
    assert response.status == 403
    expect(page.get_by_test_id("error-page")).to_contain_text("403")
    shot(page, "bureau-403")


def test_enterprise_admin_cannot_open_other_enterprise_user(page, login, demo_world, shot):
    login(page, "ent_a_admin")
    page.goto("/enterprise/settings/users/")
    users = page.get_by_test_id("users")
    expect(users).to_contain_text("ent_a_staff")
    for text in OTHER_ENTERPRISE:
        expect(users).not_to_contain_text(text)

    response = page.goto(f"/enterprise/settings/users/{demo_world.ent_b_staff.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_contain_text("404")
    expect(page.locator("body")).not_to_contain_text("周玉兰")
    shot(page, "other-user-404")


def test_admin_creates_user_and_deactivation_logs_out_at_once(new_context, login, demo_world, shot):
    admin = new_context().new_page()
    staff = new_context().new_page()
    login(admin, "ent_a_admin")
    login(staff, "ent_a_staff")
    expect(staff).to_have_url(re.compile(r"/enterprise/$"))

    # Create a user through the form.
    admin.goto("/enterprise/settings/users/")
    admin.get_by_test_id("user-create").click()
    expect(admin).to_have_url(re.compile(r"/enterprise/settings/users/new/$"))
    admin.fill("#id_username", "ent_a_newhire")
    admin.fill("#id_full_name", "王小明")
    admin.select_option("#id_role", "enterprise_staff")
    admin.fill("#id_email", "newhire@example.cn")
    admin.fill("#id_phone", "13902210099")
    admin.fill("#id_password", "Fresh-start-2026!")
    admin.fill("#id_reason", "新员工入职")
    shot(admin, "create-form")
    admin.locator("form", has=admin.locator("#id_username")).locator("button[type=submit]").click()
    expect(admin).to_have_url(re.compile(r"/enterprise/settings/users/$"))
    row = admin.get_by_test_id("users").locator("tr", has_text="ent_a_newhire")
    expect(row).to_contain_text("王小明")
    expect(row.locator(".badge.text-bg-success")).to_be_visible()
    shot(admin, "created")

    # The new user can log in with the initial password.
    newcomer = new_context().new_page()
    login(newcomer, "ent_a_newhire", "Fresh-start-2026!")
    expect(newcomer).to_have_url(re.compile(r"/enterprise/$"))
    expect(newcomer.get_by_test_id("user-menu")).to_contain_text("王小明")

    # Deactivate ent_a_staff: the reason is required, the browser refuses an empty one.
    admin.get_by_test_id("users").locator("tr", has_text="ent_a_staff").get_by_role("link").click()
    expect(admin).to_have_url(re.compile(rf"/enterprise/settings/users/{demo_world.ent_a_staff.pk}/$"))
    deactivate = admin.locator("form", has=admin.get_by_test_id("deactivate"))
    admin.get_by_test_id("deactivate").click()
    expect(admin).to_have_url(re.compile(rf"/enterprise/settings/users/{demo_world.ent_a_staff.pk}/$"))
    expect(admin.get_by_test_id("deactivate")).to_be_visible()
    deactivate.locator("input[name=reason]").fill("已离职")
    shot(admin, "deactivate-form")
    admin.get_by_test_id("deactivate").click()
    expect(admin).to_have_url(re.compile(r"/enterprise/settings/users/$"))
    row = admin.get_by_test_id("users").locator("tr", has_text="ent_a_staff")
    expect(row.locator(".badge.text-bg-secondary")).to_be_visible()

    # The deactivated user's very next page load goes to the log-in page.
    staff.reload()
    expect(staff).to_have_url(re.compile(r"/accounts/login/"))
    expect(staff.locator("#id_username")).to_be_visible()
    shot(staff, "staff-logged-out")


def test_admin_sets_the_language_of_notices(page, login, demo_world, shot):
    """Settings -> Contact and notices: the form in Chinese, saved, the choice kept."""
    login(page, "ent_a_admin")
    page.get_by_role("link", name="联系方式与通知").click()
    expect(page).to_have_url(re.compile(r"/enterprise/settings/organisation/$"))
    shot(page, "form")
    page.get_by_label("通知语言").select_option("en")
    page.get_by_label("变更原因").fill("香港客户要求英文通知")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_label("通知语言")).to_have_value("en")
    demo_world.ent_a.refresh_from_db()
    assert demo_world.ent_a.language == "en"
    shot(page, "saved")
