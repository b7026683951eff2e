using System.Collections.Immutable;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Tests.Tenancy;

public sealed class WorkspaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly Guid Dana = Guid.NewGuid();
    private static readonly Guid Eli = Guid.NewGuid();
    private static readonly WorkspaceCreated Created = new(Id, "team-a", "Team A", null, Admin, Now);

    private static WorkspaceMemberAdded Added(Guid userId, string name, WorkspaceRole role) => new(Id, "team-a", userId, name, role, Admin, Now);

    [Fact]
    public void creating_records_the_trimmed_description_and_who_created_it()
    {
        var e = Assert.IsType<WorkspaceCreated>(Workspace.Create(Id, "team-a", " Team A ", "#fff", Admin, Now).Single());

        Assert.Equal(new WorkspaceCreated(Id, "team-a", "Team A", "#fff", Admin, Now), e);
    }

    [Fact]
    public void a_workspace_name_is_a_dns_label() =>
        Assert.Equal("name", Workspace.Create(Id, "Team A", null, null, Admin, Now).Refused().Field);

    [Fact]
    public void Given_a_workspace_When_a_user_is_added_Then_they_are_a_member_with_that_role()
    {
        var workspace = Given.Events<Workspace>(Created);
        var added = Assert.IsType<WorkspaceMemberAdded>(workspace.SetMember(Dana, "dana", WorkspaceRole.WorkspaceAdmin, Admin, Now).Single());

        Assert.Equal(WorkspaceRole.WorkspaceAdmin, Given.Events<Workspace>(Created, added).RoleOf(Dana));
    }

    [Fact]
    public void Given_a_member_When_given_the_role_they_have_Then_nothing_changes() =>
        Assert.Empty(Given.Events<Workspace>(Created, Added(Dana, "dana", WorkspaceRole.Developer))
            .SetMember(Dana, "dana", WorkspaceRole.Developer, Admin, Now).Events);

    [Fact]
    public void Given_the_last_admin_and_another_member_When_the_admin_is_demoted_or_removed_Then_it_conflicts()
    {
        var workspace = Given.Events<Workspace>(Created, Added(Dana, "dana", WorkspaceRole.WorkspaceAdmin), Added(Eli, "eli", WorkspaceRole.Developer));

        Assert.Equal(ErrorKind.Conflict, workspace.SetMember(Dana, "dana", WorkspaceRole.Developer, Admin, Now).Refused().Kind);
        Assert.Equal(ErrorKind.Conflict, workspace.RemoveMember(Dana, null, Admin, Now).Refused().Kind);
    }

    [Fact]
    public void Given_two_admins_When_one_is_removed_Then_the_removal_records_who_by_whom_and_why()
    {
        var workspace = Given.Events<Workspace>(Created, Added(Dana, "dana", WorkspaceRole.WorkspaceAdmin), Added(Eli, "eli", WorkspaceRole.WorkspaceAdmin));

        var e = Assert.IsType<WorkspaceMemberRemoved>(workspace.RemoveMember(Dana, " moved to team b ", Admin, Now).Single());

        Assert.Equal(new WorkspaceMemberRemoved(Id, "team-a", Dana, "dana", Admin, Now, "moved to team b"), e);
    }

    [Fact]
    public void removing_someone_who_is_not_a_member_is_not_found() =>
        Assert.Equal(ErrorKind.NotFound, Given.Events<Workspace>(Created).RemoveMember(Eli, null, Admin, Now).Refused().Kind);

    [Fact]
    public void Given_a_workspace_with_service_maps_When_it_is_deleted_Then_it_conflicts_until_they_are_gone_and_a_blank_reason_is_none()
    {
        var workspace = Given.Events<Workspace>(Created);

        Assert.Equal(ErrorKind.Conflict, workspace.Delete(2, null, Admin, Now).Refused().Kind);
        Assert.Null(Assert.IsType<WorkspaceDeleted>(workspace.Delete(0, " ", Admin, Now).Single()).Reason);
    }

    [Fact]
    public void Given_a_deleted_workspace_When_it_is_changed_Then_it_is_not_found_and_deleting_again_changes_nothing()
    {
        var deleted = Given.Events<Workspace>(Created, new WorkspaceDeleted(Id, "team-a", Admin, Now));

        Assert.Equal(ErrorKind.NotFound, deleted.ChangeDetails("team-b", null, null, Admin, Now).Refused().Kind);
        Assert.Equal(ErrorKind.NotFound, deleted.SetMember(Dana, "dana", WorkspaceRole.Developer, Admin, Now).Refused().Kind);
        Assert.Empty(deleted.Delete(0, null, Admin, Now).Events);
    }

    [Fact]
    public void renaming_changes_the_name_the_workspace_goes_by()
    {
        var renamed = Given.Events<Workspace>(Created, new WorkspaceDetailsChanged(Id, "team-b", null, null, Admin, Now));

        Assert.Equal("team-b", renamed.Name);
        Assert.Equal(ImmutableDictionary<Guid, WorkspaceMember>.Empty, renamed.Members);
    }
}
