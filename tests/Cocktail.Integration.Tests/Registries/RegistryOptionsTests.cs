using Cocktail.Application.Registries;

namespace Cocktail.Integration.Tests.Registries;

/// <summary><c>Cocktail:Registry</c> as the host checks it at start: each wrong setting named in the message.</summary>
public sealed class RegistryOptionsTests
{
    [Theory]
    [InlineData("registry.example.com")]
    [InlineData("127.0.0.1:5000")]
    [InlineData("registry:80")]
    [InlineData("[::1]:5000")]
    public void an_address_is_host_and_port(string address) =>
        Assert.True(new RegistryOptionsValidation().Validate(null, new RegistryOptions { Address = address }).Succeeded);

    [Theory]
    [InlineData("https://registry.example.com")]
    [InlineData("registry.example.com/")]
    [InlineData("registry.example.com/v2")]
    [InlineData("user@registry.example.com")]
    [InlineData("registry example")]
    [InlineData("registry:99999")]
    public void an_address_with_anything_else_stops_the_start_naming_the_setting(string address)
    {
        var result = new RegistryOptionsValidation().Validate(null, new RegistryOptions { Address = address });
        Assert.True(result.Failed);
        Assert.Contains("Cocktail:Registry:Address", result.FailureMessage);
    }

    [Fact]
    public void every_wrong_setting_is_named_at_once()
    {
        var result = new RegistryOptionsValidation().Validate(null, new RegistryOptions
        {
            ApiUrl = new Uri("ftp://registry/"), Service = " ", Issuer = "", TokenLifetime = TimeSpan.Zero, RobotMaxValidity = TimeSpan.FromDays(-1),
        });
        var failures = result.Failures!.ToList();
        Assert.Equal(6, failures.Count);
        foreach (var setting in new[] { "ApiUrl", "Service", "Issuer", "TokenLifetime", "RobotMaxValidity" })
            Assert.Contains(failures, f => f.StartsWith($"Cocktail:Registry:{setting} ", StringComparison.Ordinal));
    }
}
