using System.Text.RegularExpressions;
using Cocktail.KubeSim.Http;

namespace Cocktail.KubeSim.Registry;

/// <summary>The apimachinery name rules (k8s.io/apimachinery/pkg/util/validation) with their exact messages.</summary>
public static partial class NameValidation
{
    const string LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    const string SubdomainFmt = LabelFmt + "(\\." + LabelFmt + ")*";

    [GeneratedRegex("^" + SubdomainFmt + "$")] private static partial Regex Subdomain();
    [GeneratedRegex("^" + LabelFmt + "$")] private static partial Regex Label();
    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")] private static partial Regex Label1035();

    /// <summary>Resources whose names must be DNS labels (RFC 1123) or RFC 1035 labels rather than subdomains.</summary>
    static readonly Dictionary<string, string> NameRules = new()
    {
        ["/namespaces"] = "label", ["/services"] = "1035", ["apps/deployments"] = "subdomain",
        ["apps/statefulsets"] = "label", ["batch/cronjobs"] = "subdomain",
    };

    public static IEnumerable<FieldError> Validate(string group, string resource, string name, string field = "metadata.name")
    {
        if (name.Length == 0)
        {
            yield return FieldError.Required(field, "name or generateName is required");
            yield break;
        }
        if (group == "rbac.authorization.k8s.io" || resource is "events" or "subjectaccessreviews")
            yield break; // path segment names: anything without '/' or '%' (ValidatePathSegmentName)
        var rule = NameRules.GetValueOrDefault($"{group}/{resource}", "subdomain");
        switch (rule)
        {
            case "label" when name.Length > 63 || !Label().IsMatch(name):
                yield return FieldError.InvalidValue(field, name, name.Length > 63
                    ? "must be no more than 63 characters"
                    : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" + LabelFmt + "')");
                break;
            case "1035" when name.Length > 63 || !Label1035().IsMatch(name):
                yield return FieldError.InvalidValue(field, name,
                    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
                break;
            case "subdomain" when name.Length > 253 || !Subdomain().IsMatch(name):
                yield return FieldError.InvalidValue(field, name, name.Length > 253
                    ? "must be no more than 253 characters"
                    : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" + SubdomainFmt + "')");
                break;
        }
    }

    public static bool IsDnsLabel(string value) => value.Length <= 63 && Label().IsMatch(value);
}
