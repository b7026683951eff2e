using Cocktail.Integration.Tests.Platform;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>One operation of the running app's OpenAPI document: its method and its path template.</summary>
public sealed record ApiOperation(string Method, string Template)
{
    public string Key => $"{Method} {Template}";
    public bool Writes => Method is not "GET" and not "HEAD";
    public override string ToString() => Key;
}

/// <summary>Every operation of <c>/openapi/v1.json</c> (read as the fuzz suite reads it), so that a new endpoint is in the matrix without anyone adding it.</summary>
public static class TenancyOpenApi
{
    public static async Task<IReadOnlyList<ApiOperation>> OperationsAsync(HttpClient anonymous) =>
        (await OpenApiOperations.ReadAsync(anonymous)).All
            .Select(o => new ApiOperation(o.Method, o.Path))
            .OrderBy(o => o.Template, StringComparer.Ordinal).ThenBy(o => o.Method, StringComparer.Ordinal)
            .ToList();

    /// <summary>The template with each <c>{parameter}</c> replaced by what <paramref name="value"/> gives for it.</summary>
    public static string Fill(string template, Func<string, string> value)
    {
        var result = template;
        while (result.IndexOf('{') is var open and >= 0)
        {
            var close = result.IndexOf('}', open);
            result = result[..open] + value(result[(open + 1)..close]) + result[(close + 1)..];
        }
        return result;
    }
}
