using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Cocktail.Application.Common;

namespace Cocktail.Integration.Tests.Platform;

/// <summary>
/// Every record of Cocktail that carries a password, a token, a kubeconfig or a private key prints it as ***, so a
/// command written to a log or an exception message cannot reveal it. A new command with such a field fails here
/// until it is marked [Secret].
/// </summary>
public sealed partial class SecretPropertiesTests
{
    private const string Planted = "planted-secret-value-0123456789";

    [GeneratedRegex("(Password|Token$|Kubeconfig$|KeyData$|Secret$)")]
    private static partial Regex SecretName();

    public static TheoryData<Type> RecordsWithSecrets()
    {
        var data = new TheoryData<Type>();
        var assemblies = new[] { typeof(Redaction).Assembly, typeof(Cocktail.Infrastructure.CocktailInfrastructure).Assembly, typeof(Program).Assembly };
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.IsAbstract || type.IsGenericTypeDefinition || type.GetMethod("<Clone>$") is null) continue; // records only
            if (SecretProperties(type).Any()) data.Add(type);
        }
        return data;
    }

    [Fact]
    public void the_known_secret_bearing_commands_are_found()
    {
        var found = RecordsWithSecrets().Cast<object[]>().Select(row => ((Type)row[0]).Name).ToArray();
        Assert.Contains("IssueApiToken", found);
        Assert.Contains("RegisterCluster", found);
        Assert.Contains("ClusterConnection", found);
    }

    [Theory]
    [MemberData(nameof(RecordsWithSecrets))]
    public void a_record_never_prints_its_secrets(Type type)
    {
        var record = RuntimeHelpers.GetUninitializedObject(type);
        foreach (var property in SecretProperties(type))
        {
            Assert.True(property.IsDefined(typeof(SecretAttribute)), $"{type.Name}.{property.Name} looks secret: mark it [property: Secret].");
            property.SetValue(record, Planted);
        }

        Assert.DoesNotContain(Planted, record.ToString());
    }

    private static IEnumerable<PropertyInfo> SecretProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.CanWrite && SecretName().IsMatch(p.Name));
}
