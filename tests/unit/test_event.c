#include "unit.h"

#include "event.h"

static const struct vs_time T = {1795168800123456789LL, 5000123456789LL};

static char *encode(int64_t seq, const char *kind, const cJSON *body)
{
    struct vbuf b = VBUF_INIT(1 << 20);

    assert_int_equal(event_encode(&b, seq, &T, kind, body, NULL), 0);
    return vbuf_detach(&b, NULL);
}

static void test_encode_exact(void **state)
{
    cJSON *body = cJSON_CreateObject();
    char *line;

    (void)state;
    cJSON_AddStringToObject(body, "phase", "storm");
    cJSON_AddNumberToObject(body, "vms", 100);
    line = encode(7, "phase_begin", body);
    assert_string_equal(line, "{\"v\":1,\"seq\":7,\"wall_ns\":1795168800123456789,"
                              "\"mono_ns\":5000123456789,\"kind\":\"phase_begin\","
                              "\"phase\":\"storm\",\"vms\":100}\n");
    free(line);
    line = encode(0, "run_end", NULL);
    assert_string_equal(line, "{\"v\":1,\"seq\":0,\"wall_ns\":1795168800123456789,"
                              "\"mono_ns\":5000123456789,\"kind\":\"run_end\"}\n");
    free(line);
    cJSON_Delete(body);
}

static void test_round_trip_exact_int64(void **state)
{
    cJSON *body = cJSON_CreateObject();
    struct event ev;
    char *line;

    (void)state;
    cJSON_AddStringToObject(body, "message", "disk \"full\"\n");
    line = encode(123456789012LL, "warning", body);
    assert_int_equal(event_decode(line, strlen(line), &ev, NULL), 0);
    /* 1795168800123456789 is not representable as a double: exactness matters */
    assert_true(ev.wall_ns == 1795168800123456789LL);
    assert_true(ev.mono_ns == 5000123456789LL);
    assert_true(ev.seq == 123456789012LL);
    assert_int_equal(ev.v, 1);
    assert_int_equal(ev.kind, EV_WARNING);
    assert_string_equal(ev.kind_name, "warning");
    assert_string_equal(cJSON_GetObjectItem(ev.json, "message")->valuestring, "disk \"full\"\n");
    event_release(&ev);
    event_release(&ev); /* released events are zeroed: releasing again is harmless */
    free(line);
    cJSON_Delete(body);
}

static void test_raw_member_spliced(void **state)
{
    cJSON *body = cJSON_CreateObject();
    char *line;

    (void)state;
    cJSON_AddItemToObject(body, "fio", cJSON_CreateRaw("{\"x\":18446744073709551615}"));
    line = encode(1, "fio_result", body);
    assert_non_null(strstr(line, ",\"fio\":{\"x\":18446744073709551615}}\n"));
    free(line);
    cJSON_Delete(body);
}

static void test_encode_rejects(void **state)
{
    struct vbuf b = VBUF_INIT(200);
    struct vs_error err;
    cJSON *body = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    cJSON *raw = cJSON_CreateObject();

    (void)state;
    assert_int_equal(event_encode(&b, 0, &T, "Run", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "invalid event kind 'Run'"));
    assert_int_equal(event_encode(&b, 0, &T, "", NULL, &err), -1);
    assert_int_equal(event_encode(&b, 0, &T, "a-b", NULL, &err), -1);
    assert_int_equal(event_encode(&b, 0, &T, NULL, NULL, &err), -1);
    assert_int_equal(event_encode(&b, 0, &T, "x", arr, &err), -1);
    assert_non_null(strstr(err.msg, "must be a JSON object"));
    cJSON_AddNumberToObject(body, "seq", 3);
    assert_int_equal(event_encode(&b, 0, &T, "x", body, &err), -1);
    assert_non_null(strstr(err.msg, "envelope field 'seq'"));
    cJSON_AddItemToObject(raw, "fio", cJSON_CreateRaw("{\n}"));
    assert_int_equal(event_encode(&b, 0, &T, "x", raw, &err), -1);
    assert_non_null(strstr(err.msg, "line break"));
    assert_int_equal(b.len, 0);
    cJSON_Delete(body);
    cJSON_Delete(arr);
    cJSON_Delete(raw);
    vbuf_release(&b);
}

static void test_encode_too_long_leaves_buffer(void **state)
{
    struct vbuf b = VBUF_INIT(150);
    struct vs_error err;
    cJSON *body = cJSON_CreateObject();
    char big[200];

    (void)state;
    assert_int_equal(vbuf_adds(&b, "keep"), 0);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cJSON_AddStringToObject(body, "message", big);
    assert_int_equal(event_encode(&b, 0, &T, "warning", body, &err), -1);
    assert_non_null(strstr(err.msg, "longer than 150 bytes"));
    assert_string_equal(vbuf_str(&b), "keep");
    cJSON_Delete(body);
    vbuf_release(&b);
}

/* Decode text and expect failure with msg_part at column col (0 = any). */
static void expect_bad(const char *text, const char *msg_part, long col)
{
    struct event ev;
    struct vs_error err;

    vs_error_clear(&err);
    assert_int_equal(event_decode(text, strlen(text), &ev, &err), -1);
    if (!strstr(err.msg, msg_part))
        fail_msg("'%s': got '%s', want '%s'", text, err.msg, msg_part);
    if (col)
        assert_int_equal(err.col, col);
    assert_null(ev.json);
}

#define ENV_REST "\"wall_ns\":1,\"mono_ns\":2,\"kind\":\"probe\"}"

static void test_decode_errors(void **state)
{
    (void)state;
    expect_bad("{\"v\":1,", "invalid JSON", 0);
    expect_bad("", "invalid JSON", 0);
    expect_bad("[1,2]", "expected a JSON object", 1);
    expect_bad("{\"v\":1,\"seq\":0," ENV_REST " x", "unexpected text after", 56);
    expect_bad("{\"seq\":0," ENV_REST, "missing 'v'", 0);
    expect_bad("{\"v\":2,\"seq\":0," ENV_REST, "unsupported schema version 2", 0);
    expect_bad("{\"v\":1,\"seq\":1.5," ENV_REST, "expected integer for 'seq'", 14);
    expect_bad("{\"v\":1,\"seq\":1e3," ENV_REST, "expected integer for 'seq'", 14);
    expect_bad("{\"v\":1,\"seq\":\"1\"," ENV_REST, "expected integer for 'seq'", 14);
    expect_bad("{\"v\":1,\"seq\":-1," ENV_REST, "'seq' must not be negative", 14);
    expect_bad("{\"v\":1,\"seq\":99999999999999999999," ENV_REST, "expected integer for 'seq'", 14);
    expect_bad("{\"v\":1,\"seq\":0,\"wall_ns\":1,\"mono_ns\":2}", "missing 'kind'", 0);
    expect_bad("{\"v\":1,\"seq\":0,\"wall_ns\":1,\"mono_ns\":2,\"kind\":\"\"}", "non-empty string",
               0);
    expect_bad("{\"v\":1,\"seq\":0,\"wall_ns\":1,\"mono_ns\":2,\"kind\":7}", "string for 'kind'",
               0);
}

static void test_decode_finds_top_level_member(void **state)
{
    /* decoys: a nested "wall_ns", and one inside a string value */
    const char *text =
        "{\"x\":{\"wall_ns\":5,\"a\":[1,{\"b\":\"}\"}]},\"note\":\"\\\"wall_ns\\\":6\","
        "\"v\":1,\"seq\":9223372036854775807,\"wall_ns\":1795168800999999999,"
        "\"mono_ns\":0,\"kind\":\"something_new\"}";
    struct event ev;

    (void)state;
    assert_int_equal(event_decode(text, strlen(text), &ev, NULL), 0);
    assert_true(ev.wall_ns == 1795168800999999999LL);
    assert_true(ev.seq == INT64_MAX);
    assert_int_equal(ev.kind, EV_UNKNOWN);
    assert_string_equal(ev.kind_name, "something_new");
    event_release(&ev);
}

static void test_decode_not_nul_terminated(void **state)
{
    char text[] = "{\"v\":1,\"seq\":3,\"wall_ns\":1,\"mono_ns\":2,\"kind\":\"error\"}GARBAGE";
    struct event ev;

    (void)state;
    assert_int_equal(event_decode(text, strlen(text) - 7, &ev, NULL), 0);
    assert_int_equal(ev.seq, 3);
    assert_int_equal(ev.kind, EV_ERROR);
    event_release(&ev);
}

static void test_kind_names(void **state)
{
    (void)state;
    for (int k = EV_UNKNOWN + 1; k < EV_KIND_COUNT; k++) {
        const char *name = event_kind_name((enum event_kind)k);

        assert_non_null(name);
        assert_int_equal(event_kind_from_name(name), k);
    }
    assert_null(event_kind_name(EV_UNKNOWN));
    assert_null(event_kind_name(EV_KIND_COUNT));
    assert_int_equal(event_kind_from_name("nope"), EV_UNKNOWN);
    assert_string_equal(event_kind_name(EV_WATCH_EVENT), "watch_event");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_exact),
        cmocka_unit_test(test_round_trip_exact_int64),
        cmocka_unit_test(test_raw_member_spliced),
        cmocka_unit_test(test_encode_rejects),
        cmocka_unit_test(test_encode_too_long_leaves_buffer),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_decode_finds_top_level_member),
        cmocka_unit_test(test_decode_not_nul_terminated),
        cmocka_unit_test(test_kind_names),
    };

    return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
