using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;

namespace Cocktail.Domain.Tests.Registries;

public sealed class ImageRepositoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Dana = new(Guid.NewGuid(), "dana");
    private static readonly Guid WorkspaceId = Guid.NewGuid();
    private const string Name = "shop/web";
    private static readonly Guid Id = ImageRepository.IdFor(Name);

    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private static ImagePushed Pushed(string tag, char digest, DateTimeOffset at) =>
        new(Id, WorkspaceId, "shop", Name, tag, Digest(digest), 1234, "application/vnd.oci.image.manifest.v1+json", "dana", "10.0.0.1", tag, at);

    private static ImageRepository Repository(params object[] events) => Given.Events<ImageRepository>(events);

    [Fact]
    public void a_push_records_who_pushed_which_digest_under_which_tag_and_a_repeat_records_nothing()
    {
        var first = Assert.IsType<ImagePushed>(ImageRepository.RecordPush(null, WorkspaceId, "shop", Name, "v1", Digest('a'), 99,
            "application/vnd.oci.image.manifest.v1+json", "robot$shop+ci", "10.0.0.9", "evt-1", Now).Single());
        Assert.Equal((Id, "v1", Digest('a'), 99L, "robot$shop+ci", "10.0.0.9"), (first.RepositoryId, first.Tag, first.Digest, first.Size, first.PushedBy, first.SourceAddress));

        var repository = Repository(first);
        Assert.Empty(ImageRepository.RecordPush(repository, WorkspaceId, "shop", Name, "v1", Digest('a'), 99, "x", "dana", null, "evt-1", Now).Events);
        var moved = Assert.IsType<ImagePushed>(ImageRepository.RecordPush(repository, WorkspaceId, "shop", Name, "v1", Digest('b'), 99, "x", "dana", null, "evt-2", Now).Single());
        Assert.Equal(Digest('b'), moved.Digest);
    }

    [Fact]
    public void deleting_a_tag_deletes_every_tag_of_the_same_image_as_the_registry_does_and_says_why()
    {
        var repository = Repository(Pushed("v1", 'a', Now), Pushed("latest", 'a', Now), Pushed("v0", 'b', Now));

        var deleted = repository.DeleteTag("v1", "broken build", Dana, Now).Events.Cast<ImageTagDeleted>().ToList();

        Assert.Equal([("v1", "broken build"), ("latest", "same image as v1: broken build")], deleted.Select(e => (e.Tag, e.Reason)));
        Assert.All(deleted, e => Assert.Equal((Digest('a'), Dana), (e.Digest, e.DeletedBy)));
        Assert.Equal(ErrorKind.NotFound, repository.DeleteTag("nope", null, Dana, Now).Refused().Kind);
        Assert.True(Repository(Pushed("v1", 'a', Now)).Apply(deleted[0]).Unreferenced(Digest('a')));
    }

    [Fact]
    public void keep_last_n_deletes_the_older_tags_oldest_first_by_the_system()
    {
        var repository = Repository(Pushed("v1", 'a', Now.AddHours(-4)), Pushed("v2", 'b', Now.AddHours(-3)), Pushed("v3", 'c', Now.AddHours(-2)),
            Pushed("v4", 'd', Now.AddHours(-1)));
        repository = repository.Apply(Assert.IsType<RetentionRuleChanged>(repository.ChangeRetention(2, null, Dana, Now).Single()));

        var deleted = repository.ApplyRetention(Now).Events.Cast<ImageTagDeleted>().ToList();

        Assert.Equal(["v1", "v2"], deleted.Select(e => e.Tag));
        Assert.All(deleted, e => Assert.Equal((ActorRef.System, "retention: keep the last 2 tags"), (e.DeletedBy, e.Reason)));
    }

    [Fact]
    public void newer_than_d_days_keeps_recent_tags_either_condition_keeps_a_tag_and_a_kept_tags_image_stays()
    {
        var repository = Repository(Pushed("old", 'a', Now.AddDays(-40)), Pushed("old-shared", 'c', Now.AddDays(-35)), Pushed("month", 'b', Now.AddDays(-20)),
            Pushed("week", 'c', Now.AddDays(-5)), new RetentionRuleChanged(Id, WorkspaceId, Name, null, 30, Dana, Now));

        Assert.Equal(["old"], repository.ApplyRetention(Now).Events.Cast<ImageTagDeleted>().Select(e => e.Tag));

        var both = repository.Apply(new RetentionRuleChanged(Id, WorkspaceId, Name, 4, 10, Dana, Now));
        Assert.Empty(both.ApplyRetention(Now).Events); // the last 4 by count, although only "week" is newer than 10 days
    }

    [Fact]
    public void a_rule_out_of_bounds_is_refused_on_its_field_and_the_same_rule_again_records_nothing()
    {
        var repository = Repository(Pushed("v1", 'a', Now));
        Assert.Equal("keepLast", repository.ChangeRetention(0, null, Dana, Now).Refused().Field);
        Assert.Equal("keepNewerThanDays", repository.ChangeRetention(null, 99999, Dana, Now).Refused().Field);
        var ruled = repository.Apply(Assert.IsType<RetentionRuleChanged>(repository.ChangeRetention(5, null, Dana, Now).Single()));
        Assert.Empty(ruled.ChangeRetention(5, null, Dana, Now).Events);
        Assert.Null(ruled.Apply(Assert.IsType<RetentionRuleChanged>(ruled.ChangeRetention(null, null, Dana, Now).Single())).Retention);
    }
}
