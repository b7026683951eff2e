using System.Collections.Concurrent;
using System.Reflection;
using System.Text;

namespace Cocktail.Application.Common;

/// <summary>
/// Marks a property that holds a secret (a password, a token, a kubeconfig, a private key). A record with one prints
/// it as *** (see <see cref="Redaction"/>), so that a command or a connection written to a log, an exception message
/// or a debugger view never shows it. For positional records: <c>[property: Secret]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>
/// How records with secrets print themselves. Each such record has
/// <c>private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);</c>, and a test checks
/// that every secret-looking property of every record is marked and hidden.
/// </summary>
public static class Redaction
{
    public const string Mask = "***";

    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, bool Secret)[]> Members = new();

    public static bool PrintMembers(object record, StringBuilder builder)
    {
        var first = true;
        foreach (var (property, secret) in Members.GetOrAdd(record.GetType(), Describe))
        {
            if (!first) builder.Append(", ");
            first = false;
            builder.Append(property.Name).Append(" = ");
            if (secret) builder.Append(property.GetValue(record) is null ? "null" : Mask);
            else builder.Append(property.GetValue(record));
        }
        return !first;
    }

    private static (PropertyInfo, bool)[] Describe(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => (p, p.IsDefined(typeof(SecretAttribute), inherit: true)))
            .ToArray();
}
