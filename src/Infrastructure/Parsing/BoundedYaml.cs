using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cocktail.Infrastructure.Parsing;

/// <summary>
/// The one gate every YAML a user sends passes before a YAML library builds objects from it. The object builders
/// (KubernetesYaml, the kubeconfig loader) recurse once per nesting level, so 10,000 levels of `[[[[...` overflow the
/// stack and end the process, and aliases of aliases ("billion laughs") expand exponentially. YamlDotNet's event
/// parser is a state machine that does not recurse; reading its events once, counting depth and the nodes aliases
/// stand for, refuses such documents before anything deeper looks at them.
/// </summary>
public static class BoundedYaml
{
    /// <summary>Kubernetes objects and kubeconfigs are far shallower; 64 is what System.Text.Json allows by default.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes in the document once every alias is expanded: a 512 KiB manifest has well under this.</summary>
    public const int MaxNodes = 200_000;

    /// <summary>
    /// An error message if the YAML is larger, deeper or expands to more nodes than allowed, or, with
    /// <paramref name="objects"/>, has a document that is not a mapping (KubernetesYaml fails on those with a
    /// NullReferenceException); null if it may be read. <paramref name="maxDepth"/> lowers the nesting allowed; without
    /// <paramref name="aliases"/> any anchor or alias is refused. <paramref name="maxNodes"/> raises the node count for
    /// large documents read without aliases (a chart repository's index.yaml), where nodes grow with the text only.
    /// </summary>
    public static string? Check(string yaml, int maxLength, bool objects = false, int maxDepth = MaxDepth, bool aliases = true, long maxNodes = MaxNodes)
    {
        if (yaml.Length > maxLength) return $"The YAML is larger than {maxLength / 1024} KiB.";
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<(string? Anchor, long Nodes)>();
        var sizes = new Dictionary<string, long>();
        long total = 0;
        var document = 0;
        try
        {
            while (parser.MoveNext())
            {
                long added;
                if (!aliases && parser.Current is AnchorAlias or NodeEvent { Anchor.IsEmpty: false })
                    return "The YAML uses an anchor (&name) or an alias (*name): these are not accepted here; write each value out.";
                if (parser.Current is DocumentStart) document++;
                if (objects && open.Count == 0 && parser.Current is Scalar or SequenceStart or AnchorAlias)
                    return parser.Current is Scalar { Value: "", Style: ScalarStyle.Plain }
                        ? $"Document {document} of the YAML is empty; remove the extra '---'."
                        : $"Document {document} of the YAML is not a Kubernetes object (a mapping with apiVersion, kind and metadata).";
                switch (parser.Current)
                {
                    case NodeEvent { } start and (SequenceStart or MappingStart):
                        if (open.Count >= maxDepth) return $"The YAML is nested deeper than {maxDepth} levels.";
                        open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, 1));
                        total++;
                        continue;
                    case SequenceEnd or MappingEnd:
                        var (anchor, nodes) = open.Pop();
                        if (anchor is not null) sizes[anchor] = nodes;
                        added = nodes;
                        break;
                    case Scalar scalar:
                        if (!scalar.Anchor.IsEmpty) sizes[scalar.Anchor.Value] = 1;
                        added = 1;
                        total++;
                        break;
                    case AnchorAlias alias:
                        added = sizes.GetValueOrDefault(alias.Value.Value, 1);
                        total += added;
                        break;
                    default:
                        continue;
                }
                if (total > maxNodes) return $"The YAML has more than {maxNodes} nodes once its aliases are expanded.";
                if (open.Count > 0)
                {
                    var (anchor, nodes) = open.Pop();
                    open.Push((anchor, nodes + added));
                }
            }
        }
        catch (YamlException e)
        {
            return $"The YAML could not be read: {e.Message.Split('\n')[0]}";
        }
        return null;
    }
}
