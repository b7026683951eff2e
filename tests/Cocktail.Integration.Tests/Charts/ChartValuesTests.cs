using System.Text.Json.Nodes;
using Cocktail.Infrastructure.Charts;

namespace Cocktail.Integration.Tests.Charts;

/// <summary>Values YAML as Helm reads it, checked against a chart's schema and merged with its defaults.</summary>
public sealed class ChartValuesTests
{
    private readonly ChartValues _values = new();

    private JsonObject Parse(string yaml)
    {
        var result = _values.Parse(yaml);
        Assert.True(result.Succeeded, result.Failure?.Message);
        return result.Value!;
    }

    [Fact]
    public void plain_scalars_resolve_as_helm_reads_them_and_quoted_ones_stay_text()
    {
        var values = Parse("""
            replicas: 3
            ratio: 0.5
            enabled: yes
            off: false
            tag: "1.0"
            version: 1.10
            nothing: ~
            mode: 0755
            name: web
            list: [1, "2", true]
            nested: {a: {b: null}}
            """);
        Assert.Equal("""{"replicas":3,"ratio":0.5,"enabled":true,"off":false,"tag":"1.0","version":1.1,"nothing":null,"mode":493,"name":"web","list":[1,"2",true],"nested":{"a":{"b":null}}}""",
            values.ToJsonString());
    }

    [Theory]
    [InlineData("", "{}")]
    [InlineData("# only a comment\n", "{}")]
    public void an_empty_file_is_no_values(string yaml, string json) => Assert.Equal(json, Parse(yaml).ToJsonString());

    [Theory]
    [InlineData("- a\n- b\n", "must be a mapping")]
    [InlineData("just text\n", "must be a mapping")]
    [InlineData("a: &x 1\nb: *x\n", "anchor")]
    [InlineData("a: 1\na: 2\n", "given twice")]
    [InlineData("a: .inf\n", "not a number JSON can carry")]
    [InlineData("a: 1\n---\nb: 2\n", "one YAML document")]
    [InlineData("a: [1, 2\n", "could not be read")]
    [InlineData("? [a, b]\n: c\n", "keys must be plain text")]
    public void values_that_are_not_a_mapping_of_plain_values_are_refused_on_the_values_field(string yaml, string reason)
    {
        var result = _values.Parse(yaml);
        Assert.False(result.Succeeded);
        Assert.Contains(reason, result.Failure!.Message);
        Assert.Equal(["values"], result.Failure.FieldErrors!.Keys);
    }

    [Fact]
    public void deep_and_large_values_are_refused_before_they_are_built()
    {
        var deep = _values.Parse("a: " + new string('[', 33) + new string(']', 33));
        Assert.Contains("deeper than 32 levels", deep.Failure!.Message);
        var large = _values.Parse("a: \"" + new string('x', 300 * 1024) + "\"\n");
        Assert.Contains("larger than 256 KiB", large.Failure!.Message);
    }

    private const string Schema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "required": ["image"],
          "properties": {
            "replicas": {"type": "integer", "minimum": 1},
            "image": {"type": "object", "required": ["repository", "tag"], "properties": {"repository": {"type": "string"}, "tag": {"type": "string"}}},
            "ports": {"type": "array", "items": {"type": "object", "properties": {"port": {"type": "integer", "maximum": 65535}}}}
          }
        }
        """;

    [Fact]
    public void values_that_break_the_schema_give_an_error_per_path()
    {
        var errors = _values.Validate(Parse("replicas: 0\nimage: {repository: web}\nports: [{port: 70000}]\n"), Schema);
        Assert.Equal(["values.image.tag", "values.ports[0].port", "values.replicas"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Required value."], errors["values.image.tag"]);
        Assert.Contains("1", errors["values.replicas"][0]);
    }

    [Fact]
    public void a_missing_top_level_key_and_valid_values()
    {
        Assert.Equal(["values.image"], _values.Validate(Parse("replicas: 2\n"), Schema).Keys);
        Assert.Empty(_values.Validate(Parse("image: {repository: web, tag: \"1\"}\n"), Schema));
    }

    [Fact]
    public void a_schema_without_schema_keyword_is_read_as_draft_7_and_a_broken_one_is_reported()
    {
        // Draft 7: "dependencies" is a keyword (2020-12 dropped it).
        var draft7 = """{"type":"object","dependencies":{"tls":["certificate"]}}""";
        Assert.Equal(["values"], _values.Validate(Parse("tls: true\n"), draft7).Keys);
        var broken = _values.Validate(Parse("a: 1\n"), "{ not json");
        Assert.Contains("could not be read", broken["values"][0]);
    }

    [Fact]
    public void merging_overrides_maps_deeply_replaces_lists_and_null_removes_a_default()
    {
        var defaults = Parse("image: {repository: web, tag: \"1\"}\nports: [80, 443]\nservice: {type: ClusterIP, port: 80}\nkeep: true\n");
        var merged = _values.Merge(defaults, Parse("image: {tag: \"2\"}\nports: [8080]\nservice: {port: null}\nextra: {a: null, b: 1}\n"));
        Assert.Equal("""{"image":{"repository":"web","tag":"2"},"ports":[8080],"service":{"type":"ClusterIP"},"keep":true,"extra":{"b":1}}""", merged.ToJsonString());
        Assert.Equal("""{"image":{"repository":"web","tag":"1"},"ports":[80,443],"service":{"type":"ClusterIP","port":80},"keep":true}""", defaults.ToJsonString());
    }

    [Fact]
    public void values_print_as_yaml_that_reads_back_the_same()
    {
        var values = Parse("name: web\ntag: \"1.0\"\nflag: \"yes\"\nempty: \"\"\nnum: 3\nlist: [a, 2]\nnone: null\ntext: |\n  line one\n  line two\nmap: {}\n");
        var yaml = _values.ToYaml(values);
        Assert.Contains("tag: \"1.0\"", yaml);
        Assert.Contains("flag: \"yes\"", yaml);
        Assert.Equal(values.ToJsonString(), Parse(yaml).ToJsonString());
    }
}
