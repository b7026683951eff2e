using System.Text;
using Cocktail.Application.Pipelines;
using Cocktail.Infrastructure.Parsing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cocktail.Infrastructure.Pipelines;

/// <summary>
/// Pipeline definitions as YAML with YamlDotNet: camelCase keys, enums by name. Reading goes through
/// <see cref="BoundedYaml"/> first (256 KiB, 32 levels, no anchors or aliases: a definition has no use for them and
/// they are how small YAML becomes large), then builds the document; a key the model does not have is refused.
/// </summary>
public sealed class PipelineYaml : IPipelineYaml
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxDepth = 32;

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    public (PipelineYamlDocument? Document, IReadOnlyDictionary<string, string[]>? Errors) Read(string yaml)
    {
        if (Encoding.UTF8.GetByteCount(yaml) > MaxBytes) return Fail($"The YAML is larger than {MaxBytes / 1024} KiB.");
        if (BoundedYaml.Check(yaml, MaxBytes, maxDepth: MaxDepth, aliases: false) is { } unreadable) return Fail(unreadable);
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return Fail("The YAML is empty.");
            var document = Deserializer.Deserialize<PipelineYamlDocument?>(parser);
            if (parser.Accept<DocumentStart>(out _)) return Fail("Give one pipeline: the YAML has more than one document.");
            return document is null ? Fail("The YAML is empty.") : (document, null);
        }
        catch (YamlException e)
        {
            return Fail($"The YAML is not a pipeline definition: {Plain(e)}");
        }
    }

    public string Write(PipelineYamlDocument document) => Serializer.Serialize(document);

    private static (PipelineYamlDocument?, IReadOnlyDictionary<string, string[]>?) Fail(string message) =>
        (null, new Dictionary<string, string[]> { [PipelineYamlNames.Field] = [message] });

    /// <summary>The parser's words with its position; an inner format error says what the value was meant to be.</summary>
    private static string Plain(YamlException e)
    {
        var where = e.Start.Line > 0 ? $" (line {e.Start.Line}, column {e.Start.Column})" : "";
        var inner = e.InnerException is { } i and not YamlException ? i.Message : e.Message;
        var message = inner.Split('\n')[0];
        var paren = message.IndexOf("(Line:", StringComparison.Ordinal);
        return (paren > 0 ? message[..paren].TrimEnd() : message) + where;
    }
}
