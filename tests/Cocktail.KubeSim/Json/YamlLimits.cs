using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cocktail.KubeSim.Json;

/// <summary>
/// The apiserver's YAML decoder (sigs.k8s.io/yaml over go-yaml) refuses documents nested deeper than its limit and
/// documents whose aliases expand too far ("excessive aliasing"), answering 400. The same checks run here on
/// YamlDotNet's event parser, which does not recurse, before the document is built into nodes (which does).
/// </summary>
public static class YamlLimits
{
    /// <summary>
    /// The apiserver allows 10,000 levels; KubeSim builds, stores and re-reads objects with System.Text.Json, whose
    /// readers stop at 64 (as they already do for JSON bodies), and walks them recursively. No Kubernetes object comes
    /// near 64 levels; anything deeper is a 400, as the apiserver's answer to a document past its own limit.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>go-yaml's alias budget: a document may expand to at most this many nodes through aliases.</summary>
    public const int MaxAliasedNodes = 1_000_000;

    /// <summary>The apiserver's error text for the document, or null if it may be decoded.</summary>
    public static string? Check(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<(string? Anchor, long Nodes)>();
        var sizes = new Dictionary<string, long>();
        long aliased = 0;
        while (parser.MoveNext())
        {
            long added;
            switch (parser.Current)
            {
                case NodeEvent start and (SequenceStart or MappingStart):
                    if (open.Count >= MaxDepth) return $"yaml: exceeded max depth of {MaxDepth}";
                    open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, 1));
                    continue;
                case SequenceEnd or MappingEnd:
                    var (anchor, nodes) = open.Pop();
                    if (anchor is not null) sizes[anchor] = nodes;
                    added = nodes;
                    break;
                case Scalar scalar:
                    if (!scalar.Anchor.IsEmpty) sizes[scalar.Anchor.Value] = 1;
                    added = 1;
                    break;
                case AnchorAlias alias:
                    added = sizes.GetValueOrDefault(alias.Value.Value, 1);
                    aliased += added;
                    if (aliased > MaxAliasedNodes) return "yaml: document contains excessive aliasing";
                    break;
                default:
                    continue;
            }
            if (open.Count > 0)
            {
                var (anchor, nodes) = open.Pop();
                open.Push((anchor, nodes + added));
            }
        }
        return null;
    }
}
