from django.template import Context, Template


def render(value) -> str:
    return Template("{% load text %}{{ value|break_after_dots }}").render(Context({"value": value}))


def test_a_domain_may_wrap_after_each_dot():
    assert render("mail.acme.test") == "mail.<wbr>acme.<wbr>test"


def test_markup_in_the_value_is_escaped_before_the_break_points_are_added():
    assert render('<script>a.b</script>"') == "&lt;script&gt;a.<wbr>b&lt;/script&gt;&quot;"
