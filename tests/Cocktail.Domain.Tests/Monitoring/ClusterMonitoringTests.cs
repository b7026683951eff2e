using Cocktail.Domain.Clusters;
using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed class ClusterMonitoringTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();

    private static ClusterRegistered Registered() =>
        new(Id, "prod", ClusterProvider.EKS, "eu-1", new Dictionary<string, string>(), "https://prod", CredentialKind.BearerToken,
            null, "v1.31.0", 3, Admin, Now);

    [Fact]
    public void Given_a_cluster_When_its_prometheus_service_is_set_Then_monitoring_is_configured_with_that_location()
    {
        var location = PrometheusLocation.Service("monitoring", "prometheus-operated", 9090);

        var e = Given.Events<Cluster>(Registered()).ConfigureMonitoring(location, Admin, Now).Single();

        Assert.Equal(new ClusterMonitoringConfigured(Id, "prod", location, Admin, Now), e);
        Assert.Equal("/api/v1/namespaces/monitoring/services/http:prometheus-operated:9090/proxy", location.ProxyPath);
    }

    [Theory]
    [InlineData("Monitoring", "prometheus-operated", "http", 9090, "serviceNamespace")]
    [InlineData("monitoring", "", "http", 9090, "serviceName")]
    [InlineData("monitoring", "prometheus-operated", "ftp", 9090, "serviceScheme")]
    [InlineData("monitoring", "prometheus-operated", "https", 0, "servicePort")]
    [InlineData("monitoring", "prometheus-operated", "https", 70000, "servicePort")]
    public void Given_a_cluster_When_the_service_location_is_not_whole_Then_it_is_refused_naming_the_field(string ns, string name, string scheme, int port, string field)
    {
        var decision = Given.Events<Cluster>(Registered())
            .ConfigureMonitoring(new PrometheusLocation(PrometheusSource.ServiceProxy, ns, name, scheme, port), Admin, Now);

        Assert.Equal(ErrorKind.Invalid, decision.Error!.Kind);
        Assert.Equal(field, decision.Error.Field);
    }

    [Theory]
    [InlineData("not a url", PrometheusAuth.None, null, "url")]
    [InlineData("ftp://prom:9090", PrometheusAuth.None, null, "url")]
    [InlineData("https://user:pw@prom:9090", PrometheusAuth.None, null, "url")]
    [InlineData("https://prom:9090", PrometheusAuth.Basic, null, "username")]
    [InlineData("https://prom:9090", PrometheusAuth.Bearer, "someone", "username")]
    public void Given_a_cluster_When_the_direct_url_is_not_whole_Then_it_is_refused_naming_the_field(string url, PrometheusAuth auth, string? user, string field)
    {
        var decision = Given.Events<Cluster>(Registered())
            .ConfigureMonitoring(new PrometheusLocation(PrometheusSource.DirectUrl, Url: url, Auth: auth, Username: user), Admin, Now);

        Assert.Equal(field, decision.Error!.Field);
    }

    [Fact]
    public void Given_a_configured_cluster_When_monitoring_is_cleared_Then_it_is_cleared_once()
    {
        var configured = Given.Events<Cluster>(Registered(),
            new ClusterMonitoringConfigured(Id, "prod", PrometheusLocation.Service("monitoring", "prometheus-operated", 9090), Admin, Now));

        Assert.Equal(new ClusterMonitoringCleared(Id, "prod", Admin, Now), configured.ClearMonitoring(Admin, Now).Single());
        var cleared = Given.Events<Cluster>(Registered(),
            new ClusterMonitoringConfigured(Id, "prod", PrometheusLocation.Service("monitoring", "prometheus-operated", 9090), Admin, Now),
            new ClusterMonitoringCleared(Id, "prod", Admin, Now));
        Assert.Empty(cleared.ClearMonitoring(Admin, Now).Events);
    }

    [Fact]
    public void Given_an_unregistered_cluster_When_monitoring_is_set_Then_it_is_not_found()
    {
        var gone = Given.Events<Cluster>(Registered(), new ClusterUnregistered(Id, "prod", Admin, Now));

        Assert.Equal(ErrorKind.NotFound, gone.ConfigureMonitoring(PrometheusLocation.Service("monitoring", "p", 9090), Admin, Now).Error!.Kind);
    }
}
