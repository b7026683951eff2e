namespace Cocktail.Application.Common;

/// <summary>Field errors use the JSON names API clients send (camelCase), for the API and the console alike.</summary>
public static class FieldNames
{
    public static string ToJson(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(CamelCase));

    private static string CamelCase(string segment) =>
        segment.Length == 0 || char.IsLower(segment[0]) ? segment : char.ToLowerInvariant(segment[0]) + segment[1..];
}
